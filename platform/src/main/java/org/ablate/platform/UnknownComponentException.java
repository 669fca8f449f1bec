package org.ablate.platform;

/** A config named a component id that no discovered provider has. The message lists the known ids and a suggestion. */
public final class UnknownComponentException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnknownComponentException(String message) { super(message); }
}
