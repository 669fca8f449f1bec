package com.example.ablate.topa;

import org.ablate.testkit.ProviderContract;
import org.junit.jupiter.api.Test;

/** The provider contract every sampler must meet: SPI version and well-formed parameters. */
class TopAContractTest {
    @Test
    void meetsTheProviderContract() {
        ProviderContract.check(new TopAProvider());
    }
}
