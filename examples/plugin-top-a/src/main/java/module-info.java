/** An example third-party plugin: the "top-a" sampling step, found by Ablate through the SPI. */
module com.example.ablate.topa {
    requires org.ablate.api;

    provides org.ablate.api.SamplerProvider with com.example.ablate.topa.TopAProvider;
}
