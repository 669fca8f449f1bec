package org.ablate.tensor.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
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
 * header before any tensor is handed out, as the reference (Rust) reader does: the header length is
 * at most {@link #MAX_HEADER_BYTES} and within the file; the header is UTF-8 JSON, an object of tensor
 * entries plus an optional {@code __metadata__} object of strings; each entry has a known dtype, a shape
 * of non-negative integers and {@code data_offsets} whose length is the shape's element count times the
 * dtype's size (overflow checked); and the tensors, sorted by offset, cover the data section exactly,
 * with no gap, no overlap and nothing left over. Any fault raises a one-line {@link SafetensorsException}
 * naming the file, the tensor and what was expected.
 *
 * <p>Values are checked when read ({@link SafetensorsFile#tensor}) and when written: NaN and
 * infinities are refused, naming the tensor and the first bad element.
 *
 * <p>Writing produces F32 tensors atomically: a temporary file in the same folder, forced to disk,
 * then renamed over the target, so a crash never leaves a half-written file under the real name.
 */
public final class Safetensors {
    /**
     * Headers larger than this are refused as corrupt, the cap of the reference (Rust) reader; real ones
     * are kilobytes to a few megabytes.
     */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private Safetensors() {}

    /** Opens a file whose tensors are copied out ({@link SafetensorsFile#tensor}); closing it unmaps the file. */
    public static SafetensorsFile open(Path path) throws IOException {
        return open(path, false);
    }

    /**
     * Opens a file whose F32 tensors may also be used in place ({@link SafetensorsFile#mapped}): the mapping then
     * outlives {@link SafetensorsFile#close()} and goes when no tensor reads it any more.
     */
    public static SafetensorsFile openInPlace(Path path) throws IOException {
        return open(path, true);
    }

    private static SafetensorsFile open(Path path, boolean inPlace) throws IOException {
        Arena arena = inPlace ? Arena.ofAuto() : Arena.ofShared();
        FileChannel ch = null;
        try {
            MemorySegment file;
            try {
                ch = FileChannel.open(path, StandardOpenOption.READ);
                file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            } catch (IOException e) {
                throw new SafetensorsException(path, "cannot read: " + e.getMessage(), e);
            }
            long size = file.byteSize();
            if (size < 8) throw new SafetensorsException(path, "truncated: " + size + " bytes, shorter than the 8-byte header length");
            long headerLength = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (Long.compareUnsigned(headerLength, MAX_HEADER_BYTES) > 0) {
                throw new SafetensorsException(path, "header length " + Long.toUnsignedString(headerLength) + " is over the format's limit of "
                        + MAX_HEADER_BYTES + " bytes; not a safetensors file or corrupt");
            }
            if (headerLength < 2) {
                throw new SafetensorsException(path, "header length " + headerLength
                        + " is too short for a JSON object (expected 2 .. " + MAX_HEADER_BYTES + " bytes); not a safetensors file or corrupt");
            }
            if (8 + headerLength > size) {
                throw new SafetensorsException(path, "header length " + headerLength + " runs past the end of the file ("
                        + size + " bytes); the file is truncated");
            }
            String header = utf8(path, file.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE));
            MemorySegment data = file.asSlice(8 + headerLength);
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> infos = parseHeader(path, header, data.byteSize(), metadata);
            checkCoverage(path, infos, data.byteSize(), size, headerLength);
            return new SafetensorsFile(path, inPlace ? null : arena, ch, data, 8 + headerLength, infos, metadata);
        } catch (IOException | RuntimeException e) {
            if (!inPlace) arena.close();
            if (ch != null) ch.close();
            throw e;
        }
    }

    /** The header as text; bytes that are not UTF-8 are an error, as in the reference reader, not replaced. */
    private static String utf8(Path path, byte[] bytes) throws SafetensorsException {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = d.decode(in, out, true);
        if (!r.isError()) r = d.flush(out);
        if (r.isError()) {
            throw new SafetensorsException(path, "header is not valid UTF-8 (bad byte at offset " + (8 + in.position())
                    + " of the file)");
        }
        return out.flip().toString();
    }

    private static Map<String, TensorInfo> parseHeader(Path path, String header, long dataBytes, Map<String, String> metadata)
            throws SafetensorsException {
        Object root;
        try {
            root = HeaderJson.parse(header);
        } catch (HeaderJson.ParseException e) {
            throw new SafetensorsException(path, "header is not valid JSON: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> entries)) {
            throw new SafetensorsException(path, "header is a JSON " + kind(root) + ", expected an object of tensor entries");
        }
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        for (var e : entries.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                if (e.getValue() == null) continue;  // the reference reader takes null as no metadata
                if (!(e.getValue() instanceof Map<?, ?> meta)) {
                    throw new SafetensorsException(path, "__metadata__ is a JSON " + kind(e.getValue()) + ", expected an object of strings");
                }
                for (var m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String v)) {
                        throw new SafetensorsException(path, "__metadata__ field \"" + m.getKey() + "\" is a JSON " + kind(m.getValue())
                                + ", expected a string");
                    }
                    metadata.put((String) m.getKey(), v);
                }
                continue;
            }
            infos.put(name, entry(path, name, e.getValue(), dataBytes));
        }
        return infos;
    }

    /**
     * The reference rule: sorted by offsets, the tensors tile the data section exactly, the first
     * beginning at 0, each where the previous ended, the last at the end of the file. So no byte is
     * shared, unaccounted for or missing, and a header length off by a few bytes cannot pass.
     */
    private static void checkCoverage(Path path, Map<String, TensorInfo> infos, long dataBytes, long fileSize, long headerLength)
            throws SafetensorsException {
        List<TensorInfo> byOffset = new ArrayList<>(infos.values());
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long at = 0;
        TensorInfo previous = null;
        for (TensorInfo t : byOffset) {
            if (t.begin() != at) {
                String after = previous == null ? "the start of the data section (byte 0)"
                        : "the end of tensor \"" + previous.name() + "\" (byte " + at + ")";
                throw new SafetensorsException(path, "tensor \"" + t.name() + "\": data_offsets [" + t.begin() + ", " + t.end()
                        + "] begin " + (t.begin() > at ? (t.begin() - at) + " bytes after " : (at - t.begin()) + " bytes before ") + after
                        + (t.begin() > at ? ", leaving a gap" : ", overlapping it")
                        + "; expected tensors to cover the data section exactly, each beginning where the previous ends");
            }
            at = t.end();
            previous = t;
        }
        if (at != dataBytes) {
            throw new SafetensorsException(path, (previous == null ? "the header lists no tensors, so the data section should be empty"
                    : "the tensors end at byte " + at + " of the data section (last: \"" + previous.name() + "\")")
                    + ", but it has " + dataBytes + " bytes (file size " + fileSize + " - 8 - header length " + headerLength
                    + "); expected the tensors to cover it exactly: the header length or the data_offsets are wrong");
        }
    }

    private static String kind(Object v) {
        if (v == null) return "null";
        if (v instanceof Map) return "object";
        if (v instanceof List) return "array";
        if (v instanceof String) return "string";
        if (v instanceof Boolean) return "boolean";
        return "number";
    }

    private static TensorInfo entry(Path path, String name, Object value, long dataBytes) throws SafetensorsException {
        String where = "tensor \"" + name + "\": ";
        if (!(value instanceof Map<?, ?> m)) {
            throw new SafetensorsException(path, where + "entry is a JSON " + kind(value) + ", expected an object with dtype, shape and data_offsets");
        }
        DType dtype = null;
        if (m.get("dtype") instanceof String s) {
            for (DType d : DType.values()) if (d.name().equals(s)) dtype = d;
        }
        if (dtype == null) {
            throw new SafetensorsException(path, where + (m.get("dtype") instanceof String s ? "unknown dtype " + s
                    : "dtype is " + (m.containsKey("dtype") ? "a JSON " + kind(m.get("dtype")) : "missing"))
                    + "; expected one of " + Arrays.toString(DType.values()));
        }
        if (!(m.get("shape") instanceof List<?> shapeList)) {
            throw new SafetensorsException(path, where + "shape is " + (m.containsKey("shape") ? "a JSON " + kind(m.get("shape")) : "missing")
                    + ", expected a list of non-negative integers");
        }
        long[] shape = new long[shapeList.size()];
        long numel = 1;
        for (int k = 0; k < shape.length; k++) {
            if (!(shapeList.get(k) instanceof Long d) || d < 0) {
                throw new SafetensorsException(path, where + "shape " + shapeList + " has a dimension that is not a non-negative integer");
            }
            shape[k] = d;
            numel = multiply(path, where + "shape " + shapeList, numel, d);
        }
        if (!(m.get("data_offsets") instanceof List<?> offsets) || offsets.size() != 2
                || !(offsets.get(0) instanceof Long begin) || !(offsets.get(1) instanceof Long end) || begin < 0 || end < 0) {
            throw new SafetensorsException(path, where + "data_offsets must be [begin, end], two non-negative integers, got "
                    + (m.containsKey("data_offsets") ? m.get("data_offsets") : "nothing"));
        }
        if (end < begin) {
            throw new SafetensorsException(path, where + "data_offsets [" + begin + ", " + end + "] out of range: end before begin");
        }
        if (end > dataBytes) {
            throw new SafetensorsException(path, where + "data_offsets [" + begin + ", " + end + "] out of range: the data section has "
                    + dataBytes + " bytes; the file is truncated or the offsets are wrong");
        }
        long expected = multiply(path, where + "shape " + shapeList + " of " + dtype, numel, dtype.bytes());
        if (end - begin != expected) {
            throw new SafetensorsException(path, where + "shape " + Arrays.toString(shape) + " of " + dtype + " needs " + expected
                    + " bytes, but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static long multiply(Path path, String what, long a, long b) throws SafetensorsException {
        long high = Math.multiplyHigh(a, b), low = a * b;
        if (high != 0 || low < 0) throw new SafetensorsException(path, what + " overflows: more than 2^63 - 1 elements or bytes");
        return low;
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
        // spaces after the header start the data on a 64-byte boundary (the format asks for 8): a weight whose rows
        // and predecessors fill whole cache lines is then read in place from the file without a vector load
        // straddling two lines (mapped weights; see Tensor.LEAD for those in arrays)
        int padded = (8 + header.length + 63) / 64 * 64 - 8;
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
                for (var e : tensors.entrySet()) {
                    float[] values = e.getValue().toArray();
                    int bad = firstNonFinite(values);
                    if (bad >= 0) {
                        throw new SafetensorsException(path, "tensor \"" + e.getKey() + "\" " + describe(values, bad, e.getValue().shape())
                                + "; refusing to write non-finite weights (the file is left as it was)");
                    }
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

    /** The index of the first NaN or infinite value among the {@code count} little-endian floats of {@code seg}, or -1. */
    static long firstNonFinite(MemorySegment seg, long count) {
        // two floats per read (this pass over the whole file sets the load time); exponent bits all set is an
        // infinity or a NaN
        long i = 0;
        for (long pairs = count / 2; i < pairs; i++) {
            long two = seg.getAtIndex(I64_LE, i);
            if ((two & 0x7f800000L) == 0x7f800000L || (two & 0x7f80000000000000L) == 0x7f80000000000000L) break;
        }
        for (i *= 2; i < count; i++) {
            if ((seg.getAtIndex(I32_LE, i) & 0x7f800000) == 0x7f800000) return i;
        }
        return -1;
    }

    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The index of the first NaN or infinite value, or -1. */
    static int firstNonFinite(float[] values) {
        return firstNonFinite(values, 0, values.length);
    }

    /** The same over {@code values[from, to)}: the index in {@code values}, or -1. */
    static int firstNonFinite(float[] values, int from, int to) {
        for (int i = from; i < to; i++) if (!Float.isFinite(values[i])) return i;
        return -1;
    }

    /** "element 5 [1, 2] is NaN (3 of 6 values are not finite)": the first bad value, where, and how many. */
    static String describe(float[] values, int bad, int[] shape) {
        int count = 0;
        for (float v : values) if (!Float.isFinite(v)) count++;
        int[] index = new int[shape.length];
        for (int d = shape.length - 1, rest = bad; d >= 0; d--) {
            index[d] = shape[d] == 0 ? 0 : rest % shape[d];
            rest = shape[d] == 0 ? 0 : rest / shape[d];
        }
        return "element " + bad + " " + Arrays.toString(index) + " is " + values[bad] + " (" + count + " of " + values.length
                + " values are not finite)";
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}
