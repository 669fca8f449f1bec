package org.ablate.tensor.io;

/** Element types of the safetensors format; the first five can be read, F32 written. */
public enum DType {
    F32(4), F16(2), BF16(2), I64(8), I32(4),
    F64(8), I16(2), I8(1), U8(1), BOOL(1), U16(2), U32(4), U64(8), F8_E4M3(1), F8_E5M2(1);

    private final int bytes;

    DType(int bytes) { this.bytes = bytes; }

    /** Bytes per element. */
    public int bytes() { return bytes; }

    public boolean isFloat() { return this == F32 || this == F16 || this == BF16; }

    public boolean isInteger() { return this == I64 || this == I32; }
}
