package org.ablate.objectives;

import org.ablate.api.Head;
import org.ablate.api.HeadOutput;
import org.ablate.api.Network;

/** What encoder objectives ask of a model before training, said the same way by each. */
final class NetworkChecks {
    private NetworkChecks() {}

    /**
     * Refuses a model that is not encoder-only, or whose head {@code headName} does not give {@code output};
     * {@code hint} says how to add the right head.
     */
    static void encoderOnlyWithHead(String objective, Network net, String headName, HeadOutput output, String hint) {
        if (!net.hasEncoder() || net.hasDecoder()) {
            throw new IllegalArgumentException("\"" + objective + "\" trains encoder-only models; this model is "
                    + (net.hasEncoder() ? "encoder-decoder" : "decoder-only") + " (model.architecture: encoder-only)");
        }
        Head head = net.head(headName);
        if (head.output() != output) {
            throw new IllegalArgumentException("\"" + objective + "\": head \"" + headName + "\" gives " + head.output() + ", " + hint);
        }
    }
}
