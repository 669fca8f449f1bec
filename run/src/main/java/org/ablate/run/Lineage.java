package org.ablate.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ablate.models.checkpoint.Checkpoint;

/**
 * Where a run stands in a training pipeline (pretraining, SFT, reward model, DPO, PPO): its stage, told by its
 * objective and data, and the run its weights start from ({@code --from}) with that run's spec hash and stage.
 * Written into {@code run.json} and, as comments, at the top of {@code spec.yaml}.
 *
 * @param stage       {@code pretrain}, {@code sft}, {@code reward}, {@code dpo}, {@code ppo}; else {@code fine-tune}
 *                    (another objective from a parent) or {@code train}
 * @param parent      the folder the weights start from, or {@code null}
 * @param parentSpec  the parent run's spec sha256, or {@code null} when the parent is not a run of {@code ablate train}
 * @param parentStage the parent run's stage, or {@code null} when it has none recorded
 */
record Lineage(String stage, Path parent, String parentSpec, String parentStage) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The lineage of a run of {@code spec} starting from {@code parent} (null: from scratch). */
    static Lineage of(RunSpec spec, Path parent) {
        String stage = switch (spec.objective().id()) {
            case "next-token" -> spec.data().id().equals("instructions") ? "sft" : "pretrain";
            case "masked-lm" -> "pretrain";
            case "reward-pairwise" -> "reward";
            case "dpo" -> "dpo";
            case "ppo" -> "ppo";
            default -> parent != null ? "fine-tune" : "train";
        };
        if (parent == null) return new Lineage(stage, null, null, null);
        JsonNode run = parentRun(parent);
        return new Lineage(stage, parent, run == null ? null : run.path("spec_sha256").asText(null),
                run == null ? null : run.path("stage").asText(null));
    }

    /**
     * The run.json of the run {@code folder} belongs to: the folder itself, its final {@code model} or a
     * checkpoint under {@code checkpoints/}; {@code null} for anything else (e.g. a Hugging Face folder).
     */
    private static JsonNode parentRun(Path folder) {
        Path p = folder.toAbsolutePath().normalize();
        for (int up = 0; up < 3 && p != null; up++, p = p.getParent()) {
            Path marker = p.resolve(Checkpoint.RUN_MARKER);
            if (!Files.isRegularFile(marker)) continue;
            try {
                JsonNode n = JSON.readTree(marker.toFile());
                if (n != null && "ablate-run".equals(n.path("format").asText())) return n;
            } catch (IOException e) {
                return null; // an unreadable marker: the folder is still named
            }
        }
        return null;
    }

    /** The comment lines that head {@code spec.yaml}. */
    String yamlComments() {
        StringBuilder sb = new StringBuilder("# stage: ").append(stage).append('\n');
        if (parent != null) {
            sb.append("# parent: ").append(parent);
            if (parentSpec != null) {
                sb.append(" (run spec sha256 ").append(parentSpec, 0, Math.min(12, parentSpec.length()))
                        .append(parentStage != null ? ", stage " + parentStage : "").append(')');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Adds {@code stage} and {@code parent} ({@code folder}, {@code spec_sha256}, {@code stage}) to a run.json map. */
    void putInto(Map<String, Object> runJson) {
        runJson.put("stage", stage);
        if (parent == null) return;
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("folder", parent.toString());
        if (parentSpec != null) p.put("spec_sha256", parentSpec);
        if (parentStage != null) p.put("stage", parentStage);
        runJson.put("parent", p);
    }
}
