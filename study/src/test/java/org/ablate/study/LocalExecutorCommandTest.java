package org.ablate.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LocalExecutorCommandTest {
    @Test
    void childJvmsAreStartedLikeThisOne() {
        List<String> cmd = LocalExecutor.javaCommand(2, List.of(), 512);
        assertTrue(cmd.contains("-XX:ActiveProcessorCount=2"), cmd::toString);
        assertTrue(cmd.contains("-Xmn" + LocalExecutor.YOUNG_MEGABYTES + "m"), cmd::toString);
        assertTrue(cmd.contains("-Xmx512m"), cmd::toString);
        assertEquals(LocalExecutor.hugePages(), cmd.contains("-XX:+UseTransparentHugePages"), cmd::toString);
    }

    @Test
    void theStudysOwnOptionsWinOverTheDefaults() {
        List<String> cmd = LocalExecutor.javaCommand(1, List.of("-Xmn64m", "-Xmx2g"), 512);
        assertFalse(cmd.contains("-Xmn" + LocalExecutor.YOUNG_MEGABYTES + "m"), cmd::toString);
        assertFalse(cmd.contains("-Xmx512m"), cmd::toString);
        assertTrue(cmd.containsAll(List.of("-Xmn64m", "-Xmx2g")), cmd::toString);
    }
}
