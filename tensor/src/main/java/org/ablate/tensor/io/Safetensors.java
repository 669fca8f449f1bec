package org.ablate.tensor.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ablate.tensor.Tensor;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
 * ({@code name -> {dtype, shape, data_offsets}} plus optional {@code __metadata__}), then the raw data.
 *
 * <p>Reading maps the file through the FFM API (files over 2 GiB work) and validates the whole
 * header before any tensor is handed out: a truncated file, a header length past the end of the
 * file or absurdly large, invalid JSON, offsets out of range or overlapping, and a dtype/shape/byte
 * size mismatch each raise a {@link SafetensorsException} naming the file and the fault.
 *
 * <p>Writing produces F32 tensors atomically: a temporary file in the same folder, forced to disk,
 * then renamed over the target, so a crash never leaves a half-written file under the real name.
 */
public final class Safetensors {
    /** Headers larger than this are refused as corrupt (real ones are kilobytes to a few megabytes). */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    private Safetensors() {}

    public static SafetensorsFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment file;
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            } catch (IOException e) {
                throw new SafetensorsException(path, "cannot read: " + e.getMessage(), e);
            }
            long size = file.byteSize();
            if (size < 8) throw new SafetensorsException(path, "truncated: " + size + " bytes, shorter than the 8-byte header length");
            long headerLength = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
                throw new SafetensorsException(path, "header length " + Long.toUnsignedString(headerLength)
                        + " is absurd (expected 2 .. " + MAX_HEADER_BYTES + " bytes); not a safetensors file or corrupt");
            }
            if (8 + headerLength > size) {
                throw new SafetensorsException(path, "header length " + headerLength + " runs past the end of the file ("
                        + size + " bytes); the file is truncated");
            }
            byte[] headerBytes = file.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
            String header = new String(headerBytes, StandardCharsets.UTF_8);
            MemorySegment data = file.asSlice(8 + headerLength);
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> infos = parseHeader(path, header, data.byteSize(), metadata);
            return new SafetensorsFile(path, arena, data, infos, metadata);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static Map<String, TensorInfo> parseHeader(Path path, String header, long dataBytes, Map<String, String> metadata)
            throws SafetensorsException {
        Object root;
        try {
            root = HeaderJson.parse(header.strip());
        } catch (HeaderJson.ParseException e) {
            throw new SafetensorsException(path, "header is not valid JSON: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> entries)) throw new SafetensorsException(path, "header is not a JSON object");
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        for (var e : entries.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> meta)) throw new SafetensorsException(path, "__metadata__ is not an object");
                for (var m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String v)) {
                        throw new SafetensorsException(path, "__metadata__ field \"" + m.getKey() + "\" is not a string");
                    }
                    metadata.put((String) m.getKey(), v);
                }
                continue;
            }
            infos.put(name, entry(path, name, e.getValue(), dataBytes));
        }
        List<TensorInfo> byOffset = new ArrayList<>(infos.values());
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        for (int k = 1; k < byOffset.size(); k++) {
            TensorInfo a = byOffset.get(k - 1), b = byOffset.get(k);
            if (b.begin() < a.end()) {
                throw new SafetensorsException(path, "tensors \"" + a.name() + "\" [" + a.begin() + ", " + a.end() + ") and \""
                        + b.name() + "\" [" + b.begin() + ", " + b.end() + ") overlap");
            }
        }
        return infos;
    }

    private static TensorInfo entry(Path path, String name, Object value, long dataBytes) throws SafetensorsException {
        String where = "tensor \"" + name + "\": ";
        if (!(value instanceof Map<?, ?> m)) throw new SafetensorsException(path, where + "entry is not an object");
        DType dtype;
        try {
            dtype = DType.valueOf(String.valueOf(m.get("dtype")));
        } catch (IllegalArgumentException ex) {
            throw new SafetensorsException(path, where + "unknown dtype " + m.get("dtype") + "; expected one of " + Arrays.toString(DType.values()));
        }
        if (!(m.get("shape") instanceof List<?> shapeList)) throw new SafetensorsException(path, where + "shape is missing or not a list");
        long[] shape = new long[shapeList.size()];
        long numel = 1;
        for (int k = 0; k < shape.length; k++) {
            if (!(shapeList.get(k) instanceof Long d) || d < 0) {
                throw new SafetensorsException(path, where + "shape " + shapeList + " has a dimension that is not a non-negative integer");
            }
            shape[k] = d;
            numel = Math.multiplyHigh(numel, d) != 0 || numel * d < 0 ? -1 : numel * d;
            if (numel < 0) throw new SafetensorsException(path, where + "shape " + shapeList + " overflows");
        }
        if (!(m.get("data_offsets") instanceof List<?> offsets) || offsets.size() != 2
                || !(offsets.get(0) instanceof Long begin) || !(offsets.get(1) instanceof Long end)) {
            throw new SafetensorsException(path, where + "data_offsets must be [begin, end] integers, got " + m.get("data_offsets"));
        }
        if (begin < 0 || end < begin || end > dataBytes) {
            throw new SafetensorsException(path, where + "data_offsets [" + begin + ", " + end + "] out of range: the data section has "
                    + dataBytes + " bytes" + (end > dataBytes ? "; the file is truncated or the offsets are wrong" : ""));
        }
        long expected = numel * dtype.bytes();
        if (end - begin != expected) {
            throw new SafetensorsException(path, where + "shape " + Arrays.toString(shape) + " of " + dtype + " needs " + expected
                    + " bytes, but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /**
     * Writes {@code tensors} as F32, with {@code metadata} as {@code __metadata__}, atomically.
     *
     * @throws IOException naming the file; the target is left as it was
     */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        StringBuilder h = new StringBuilder("{");
        if (metadata != null && !metadata.isEmpty()) {
            h.append("\"__metadata__\":{");
            boolean first = true;
            for (var e : metadata.entrySet()) {
                if (!first) h.append(',');
                first = false;
                HeaderJson.quote(h, e.getKey());
                h.append(':');
                HeaderJson.quote(h, e.getValue());
            }
            h.append('}');
        }
        long offset = 0;
        for (var e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) throw new IllegalArgumentException(path + ": a tensor cannot be named __metadata__");
            if (h.length() > 1) h.append(',');
            HeaderJson.quote(h, e.getKey());
            long bytes = 4L * e.getValue().numel();
            h.append(":{\"dtype\":\"F32\",\"shape\":").append(Arrays.toString(e.getValue().shape()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        h.append('}');
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8; // keeps the data 8-byte aligned, as the format recommends
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + path.getFileName() + ".", ".partial");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(padded).put(header);
                while (head.hasRemaining()) head.put((byte) ' ');
                head.flip();
                writeFully(ch, head);
                ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                for (Tensor t : tensors.values()) {
                    float[] values = t.toArray();
                    for (float v : values) {
                        if (!buf.hasRemaining()) { buf.flip(); writeFully(ch, buf); buf.clear(); }
                        buf.putFloat(v);
                    }
                }
                buf.flip();
                writeFully(ch, buf);
                ch.force(true);
            }
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            if (e instanceof IOException io && !io.getMessage().startsWith(path.toString())) {
                throw new IOException(path + ": cannot write: " + io.getMessage(), io);
            }
            throw e;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}
