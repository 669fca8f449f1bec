package org.ablate.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Edge values of the half-precision conversions and the int range check of I64 reads. */
class SafetensorsValuesTest {
    @TempDir
    Path dir;

    private Path file(String header, ByteBuffer data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data.array());
        Path p = dir.resolve("values.safetensors");
        Files.write(p, b.array());
        return p;
    }

    @Test
    void halfPrecisionSpecialValuesConvertExactly() throws IOException {
        // F16 bit patterns written by hand: 1.0, -2.0, max 65504, smallest subnormal 2^-24, -65504, -0.0
        short[] f16 = {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, (short) 0xFBFF, (short) 0x8000};
        float[] f16Expected = {1f, -2f, 65504f, 0x1p-24f, -65504f, -0f};
        // BF16 keeps the top 16 bits of a float32: 1.0, -0.5, 3.0e38 (rounded), smallest normal, the most negative finite
        short[] bf16 = {0x3F80, (short) 0xBF00, 0x7F62, 0x0080, (short) 0xFF7F};
        float[] bf16Expected = {1f, -0.5f, Float.intBitsToFloat(0x7F620000), 0x1p-126f, Float.intBitsToFloat(0xFF7F0000)};
        ByteBuffer d = ByteBuffer.allocate(2 * (f16.length + bf16.length)).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : f16) {
            d.putShort(s);
        }
        for (short s : bf16) {
            d.putShort(s);
        }
        Path p = file("{\"h\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,12]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[5],\"data_offsets\":[12,22]}}", d);
        try (SafetensorsFile f = Safetensors.open(p)) {
            assertArrayEquals(new int[] {2, 3}, f.tensor("h").shape());
            float[] h = f.tensor("h").toArray();
            for (int i = 0; i < h.length; i++) {
                assertEquals(Float.floatToIntBits(f16Expected[i]), Float.floatToIntBits(h[i]), "F16 element " + i);
            }
            float[] b = f.tensor("b").toArray();
            for (int i = 0; i < b.length; i++) {
                assertEquals(Float.floatToIntBits(bf16Expected[i]), Float.floatToIntBits(b[i]), "BF16 element " + i);
            }
        }
    }

    @Test
    void halfPrecisionInfinitiesAndNaNAreRefusedByTensorName() throws IOException {
        // F16 +inf at element 2, BF16 -inf at element 0, F16 NaN at element 1 of a [2, 2] tensor
        ByteBuffer d = ByteBuffer.allocate(6 + 2 + 8).order(ByteOrder.LITTLE_ENDIAN);
        d.putShort((short) 0x3C00).putShort((short) 0x3C00).putShort((short) 0x7C00);
        d.putShort((short) 0xFF80);
        d.putShort((short) 0x3C00).putShort((short) 0x7E00).putShort((short) 0x3C00).putShort((short) 0x7E00);
        Path p = file("{\"inf\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},"
                + "\"neg\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[6,8]},"
                + "\"nan\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[8,16]}}", d);
        try (SafetensorsFile f = Safetensors.open(p)) {
            String inf = assertThrows(SafetensorsException.class, () -> f.tensor("inf")).getMessage();
            assertTrue(inf.startsWith(p + ": tensor \"inf\" element 2 [2] is Infinity (1 of 3 values"), inf);
            String neg = assertThrows(SafetensorsException.class, () -> f.tensor("neg")).getMessage();
            assertTrue(neg.startsWith(p + ": tensor \"neg\" element 0 [0] is -Infinity"), neg);
            String nan = assertThrows(SafetensorsException.class, () -> f.tensor("nan")).getMessage();
            assertTrue(nan.startsWith(p + ": tensor \"nan\" element 1 [0, 1] is NaN (2 of 4 values are not finite)"), nan);
        }
    }

    @Test
    void i64OutsideTheIntRangeIsAnErrorNotAWrappedValue() throws IOException {
        ByteBuffer d = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        d.putLong(Integer.MAX_VALUE).putLong(Integer.MIN_VALUE).putLong(1L << 32);
        Path p = file("{\"ids\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[0,24]}}", d);
        try (SafetensorsFile f = Safetensors.open(p)) {
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> f.ints("ids"));
            assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("element 2 is 4294967296"), e.getMessage());
        }
    }
}
