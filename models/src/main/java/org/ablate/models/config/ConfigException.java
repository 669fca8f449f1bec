package org.ablate.models.config;

/**
 * A model config that cannot be used. The message names the file, the field as a dotted path
 * (e.g. {@code attention.id}, {@code sampler.1.p}) and what was expected.
 */
public final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String field;
    private final String problem;

    public ConfigException(String file, String field, String problem) {
        this(file, field, problem, null);
    }

    public ConfigException(String file, String field, String problem, Throwable cause) {
        super(file + ": " + (field == null || field.isEmpty() ? "" : field + ": ") + problem, cause);
        this.file = file;
        this.field = field;
        this.problem = problem;
    }

    /** What is wrong, without the file and field. */
    public String problem() { return problem; }

    /** The same error for a config nested under {@code prefix} (e.g. a run spec's {@code model} section). */
    public ConfigException under(String prefix) {
        return new ConfigException(file, field == null || field.isEmpty() ? prefix : prefix + "." + field, problem, this);
    }

    /** The config file (or the name given for an in-memory config). */
    public String file() { return file; }

    /** The dotted path of the field at fault; empty for the document as a whole. */
    public String field() { return field; }

    /**
     * A parser's message on one line: YAML's adds the offending line and a caret below it (the position is
     * already given as line and column), so only its sentences are kept.
     */
    public static String oneLine(String parserMessage) {
        if (parserMessage == null) return "";
        StringBuilder sb = new StringBuilder();
        for (String line : parserMessage.split("\\R")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("in 'reader'") || t.startsWith("^") || t.startsWith("...") || Character.isWhitespace(line.charAt(0))) continue;
            sb.append(sb.isEmpty() ? "" : "; ").append(t);
        }
        return sb.toString();
    }
}
