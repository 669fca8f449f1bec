package org.ablate.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.ablate.models.checkpoint.Checkpoint;

/** What a study must do with one run, read from its run folder ({@code run.json}, {@code checkpoints/}, {@code model/}). */
public enum RunState {
    /** No folder yet, or an empty one. */
    NEW("to run"),
    /** Finished with the same spec: skipped. */
    FINISHED("finished"),
    /** Interrupted after a checkpoint: resumed from it. */
    INTERRUPTED("to resume"),
    /** Failed, or interrupted before its first checkpoint: run again from the start. */
    FAILED("to rerun");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** How a plan shows it. */
    public final String label;

    RunState(String label) { this.label = label; }

    /**
     * The state of {@code run}'s folder in {@code studyDir}.
     *
     * @param recordedData the data fingerprint the study recorded for this run earlier, or {@code null}
     * @throws IOException when the folder holds a run of another spec or data (drift), or is not a run folder
     */
    public static RunState of(Path studyDir, Study.Run run, String recordedData) throws IOException {
        return of(studyDir, run, recordedData, null);
    }

    /**
     * The state of {@code run}'s folder in {@code studyDir}.
     *
     * @param recordedData       the data fingerprint the study recorded for this run earlier, or {@code null}
     * @param recordedComponents the component versions the study recorded for this run earlier, or {@code null}
     * @throws IOException when the folder holds a run of another spec, data or component versions (drift), or is not a run folder
     */
    public static RunState of(Path studyDir, Study.Run run, String recordedData, Map<String, String> recordedComponents) throws IOException {
        Path folder = run.folder(studyDir);
        if (!Files.isDirectory(folder)) return NEW;
        Path marker = folder.resolve(Checkpoint.RUN_MARKER);
        if (!Files.isRegularFile(marker)) {
            try (Stream<Path> s = Files.list(folder)) {
                if (s.findAny().isEmpty()) return NEW;
            }
            throw new IOException(folder + ": not empty and not a run folder (no run.json); move it away and run the study again");
        }
        JsonNode m;
        try {
            m = JSON.readTree(marker.toFile());
        } catch (IOException e) {
            throw new IOException(marker + ": unreadable (" + e.getMessage() + "); delete the run folder to run it again", e);
        }
        String hash = m.path("spec_sha256").asText("");
        if (!hash.equals(run.spec().hash())) {
            throw new IOException(folder + ": holds a run of another spec (" + abbrev(hash) + ", the study now gives " + abbrev(run.spec().hash())
                    + "; differing: " + String.join(", ", differences(folder, run)) + "); the study changed since this run: restore it,"
                    + " or move the run folder away to run it anew");
        }
        if (recordedData != null && !recordedData.equals(run.dataSha256())) {
            throw new IOException(folder + ": was trained on other data (sha256 " + abbrev(recordedData) + ", now " + abbrev(run.dataSha256())
                    + "); restore the data, or move the run folder away to run it anew");
        }
        if (recordedComponents != null && !recordedComponents.equals(run.components())) {
            List<String> changed = new ArrayList<>();
            Set<String> keys = new TreeSet<>(recordedComponents.keySet());
            keys.addAll(run.components().keySet());
            for (String k : keys) {
                String a = recordedComponents.get(k), b = run.components().get(k);
                if (!java.util.Objects.equals(a, b)) changed.add(k + " " + (a == null ? "absent" : a) + " -> " + (b == null ? "absent" : b));
            }
            throw new IOException(folder + ": a component version changed since this run (" + String.join(", ", changed)
                    + "); restore the earlier version, or move the run folder away to run it anew");
        }
        String status = m.path("status").asText("");
        if (status.equals("finished") && Files.isRegularFile(folder.resolve("model").resolve("metrics.json"))) return FINISHED;
        if (status.equals("failed")) return FAILED;
        return Checkpoint.latestInRun(folder) != null ? INTERRUPTED : FAILED;
    }

    private static String abbrev(String h) { return h.length() > 12 ? h.substring(0, 12) : h; }

    private static List<String> differences(Path folder, Study.Run run) {
        List<String> out = new ArrayList<>();
        try {
            JsonNode before = YAML.readTree(folder.resolve("spec.yaml").toFile());
            diff("", before, run.spec().resolved(), out);
        } catch (IOException e) {
            out.add("(spec.yaml unreadable)");
        }
        return out.isEmpty() ? List.of("(spec.yaml equal; the run.json hash differs)") : out;
    }

    private static void diff(String path, JsonNode a, JsonNode b, List<String> out) {
        if (out.size() >= 5) return;
        if (a != null && b != null && a.isObject() && b.isObject()) {
            Set<String> keys = new TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) diff(path.isEmpty() ? k : path + "." + k, a.get(k), b.get(k), out);
        } else if (a == null || b == null || !(a.equals(b) || (a.isNumber() && b.isNumber() && a.doubleValue() == b.doubleValue()))) {
            out.add(path + " " + (a == null ? "absent" : a.toString()) + " -> " + (b == null ? "absent" : b.toString()));
        }
    }
}
