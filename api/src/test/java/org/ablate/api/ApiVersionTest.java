package org.ablate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ApiVersionTest {
    @Test
    void sameMajorAndOlderOrEqualMinorIsCompatible() {
        assertTrue(new ApiVersion(1, 0).isCompatibleWith(new ApiVersion(1, 2)));
        assertTrue(new ApiVersion(1, 2).isCompatibleWith(new ApiVersion(1, 2)));
    }

    @Test
    void newerMinorOrOtherMajorIsNot() {
        assertFalse(new ApiVersion(1, 3).isCompatibleWith(new ApiVersion(1, 2)));
        assertFalse(new ApiVersion(0, 9).isCompatibleWith(new ApiVersion(1, 0)));
        assertFalse(new ApiVersion(2, 0).isCompatibleWith(new ApiVersion(1, 9)));
    }

    @Test
    void parsesAndPrints() {
        assertEquals(new ApiVersion(1, 4), ApiVersion.parse("1.4"));
        assertEquals("1.4", new ApiVersion(1, 4).toString());
        assertThrows(IllegalArgumentException.class, () -> ApiVersion.parse("1"));
        assertThrows(IllegalArgumentException.class, () -> ApiVersion.parse("one.two"));
    }
}
