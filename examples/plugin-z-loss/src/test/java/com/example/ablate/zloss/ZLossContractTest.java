package com.example.ablate.zloss;

import org.ablate.testkit.ProviderContract;
import org.junit.jupiter.api.Test;

/** The provider contract for the objective and the head: SPI version and well-formed parameters. */
class ZLossContractTest {
    @Test
    void objectiveMeetsTheProviderContract() {
        ProviderContract.check(new ZLossProvider());
    }

    @Test
    void headMeetsTheProviderContract() {
        ProviderContract.check(new SoftCapLmProvider());
    }
}
