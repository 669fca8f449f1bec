package org.ablate.samplers;

import java.util.List;
import org.ablate.api.BeamSearch;
import org.ablate.api.ParamSpec;
import org.ablate.api.Params;
import org.ablate.api.Sampler;

/**
 * Beam search. Its sampler implements {@link BeamSearch}, which generation code uses to run the search;
 * used as a plain picking step in a chain it picks the argmax, which is what one beam does.
 */
public final class BeamSearchProvider extends Versioned {
    @Override public String id() { return "beam-search"; }

    @Override public String description() {
        return "Beam search with length penalty and early stopping, Hugging Face's rule (Graves 2012; Wu et al. 2016)";
    }

    @Override public List<ParamSpec> parameters() {
        return List.of(
                ParamSpec.integer("beams", 4, 1, null, "number of hypotheses kept per step"),
                ParamSpec.real("length_penalty", 1.0, null, false, null, false,
                        "finished scores are divided by (generated tokens)^length_penalty; > 0 favours longer outputs"),
                ParamSpec.bool("early_stopping", false, "stop as soon as `beams` hypotheses have finished"));
    }

    @Override public Sampler create(Params params) {
        return new BeamSearcher(params.getInt("beams"), params.getDouble("length_penalty"), params.getBoolean("early_stopping"));
    }
}
