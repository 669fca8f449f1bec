package org.ablate.run;

import org.ablate.models.config.ConfigException;

/** A run spec error: the file, the dotted path at fault and what was expected. */
final class SpecException {
    private SpecException() {}

    static ConfigException at(String file, String path, String problem) { return new ConfigException(file, path, problem); }
}
