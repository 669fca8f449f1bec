/** Dense float32 tensors, SIMD kernels, reverse-mode autograd, optimizers and safetensors I/O. */
module org.ablate.tensor {
    requires jdk.incubator.vector;

    exports org.ablate.tensor;
    exports org.ablate.tensor.io;
    exports org.ablate.tensor.optim;
    exports org.ablate.tensor.kernels to org.ablate.bench;
}
