package org.ablate.models.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/**
 * Reads and writes the safetensors layout (8-byte little-endian header length, JSON header of
 * {@code name -> {dtype, shape, data_offsets}}, raw little-endian data). Reads F32, F16, BF16 (widened to
 * float), I64 and I32; writes F32 (and I64 for ids) atomically through a temporary file and a rename.
 */
public final class SafetensorsFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One stored tensor: its dtype as written, shape and raw bytes. */
    private record Entry(String dtype, int[] shape, ByteBuffer bytes) {}

    private final Path file;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    private SafetensorsFile(Path file) { this.file = file; }

    /** Maps {@code file} and reads its header. */
    public static SafetensorsFile open(Path file) throws IOException {
        SafetensorsFile f = new SafetensorsFile(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new IOException(file + ": not a safetensors file (shorter than its 8-byte header length)");
            ByteBuffer all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
            long headerLen = all.getLong(0);
            if (headerLen <= 0 || 8 + headerLen > size) throw new IOException(file + ": header length " + headerLen + " does not fit the file size " + size);
            byte[] header = new byte[(int) headerLen];
            all.get(8, header);
            JsonNode root = JSON.readTree(header);
            long base = 8 + headerLen;
            for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().properties().forEach(m -> f.metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                JsonNode t = e.getValue();
                JsonNode shapeNode = t.path("shape");
                int[] shape = new int[shapeNode.size()];
                for (int i = 0; i < shape.length; i++) shape[i] = shapeNode.get(i).intValue();
                long begin = t.path("data_offsets").path(0).asLong(), end = t.path("data_offsets").path(1).asLong();
                if (base + end > size || begin > end) throw new IOException(file + ": tensor " + e.getKey() + " lies outside the file");
                ByteBuffer bytes = all.slice((int) (base + begin), (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                f.entries.put(e.getKey(), new Entry(t.path("dtype").asText(), shape, bytes));
            }
        }
        return f;
    }

    public Path file() { return file; }

    public List<String> names() { return new ArrayList<>(entries.keySet()); }

    public boolean has(String name) { return entries.containsKey(name); }

    public Map<String, String> metadata() { return metadata; }

    public int[] shape(String name) { return entry(name).shape.clone(); }

    public String dtype(String name) { return entry(name).dtype; }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException(file + ": no tensor \"" + name + "\"");
        return e;
    }

    /** The tensor as float32 (integers converted), a fresh array. */
    public Tensor floats(String name) {
        Entry e = entry(name);
        int n = numel(e.shape);
        float[] out = new float[n];
        ByteBuffer b = e.bytes;
        switch (e.dtype) {
            case "F32" -> b.asFloatBuffer().get(0, out);
            case "F16" -> { for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(b.getShort(2 * i)); }
            case "BF16" -> { for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xFFFF) << 16); }
            case "I64" -> { for (int i = 0; i < n; i++) out[i] = b.getLong(8 * i); }
            case "I32" -> { for (int i = 0; i < n; i++) out[i] = b.getInt(4 * i); }
            default -> throw new IllegalArgumentException(file + ": tensor \"" + name + "\" has dtype " + e.dtype + "; expected F32, F16, BF16, I64 or I32");
        }
        return Tensor.of(out, e.shape.clone());
    }

    /** An integer tensor (I64 or I32) as ints. */
    public IntTensor ints(String name) {
        Entry e = entry(name);
        int n = numel(e.shape);
        int[] out = new int[n];
        switch (e.dtype) {
            case "I64" -> { for (int i = 0; i < n; i++) out[i] = Math.toIntExact(e.bytes.getLong(8 * i)); }
            case "I32" -> { for (int i = 0; i < n; i++) out[i] = e.bytes.getInt(4 * i); }
            default -> throw new IllegalArgumentException(file + ": tensor \"" + name + "\" has dtype " + e.dtype + "; expected I64 or I32");
        }
        return IntTensor.of(out, e.shape.clone());
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    /** Writes float tensors as F32 to {@code file}, atomically (a temporary file in the same folder, then a rename). */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        List<float[]> data = new ArrayList<>();
        for (var e : tensors.entrySet()) {
            float[] values = e.getValue().toArray();
            data.add(values);
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (int s : e.getValue().shape()) shape.add(s);
            var offs = t.putArray("data_offsets");
            offs.add(offset);
            offset += 4L * values.length;
            offs.add(offset);
        }
        byte[] headerBytes = JSON.writeValueAsBytes(header);
        int pad = (8 - headerBytes.length % 8) % 8;
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer head = ByteBuffer.allocate(8 + headerBytes.length + pad).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(headerBytes.length + pad).put(headerBytes);
            for (int i = 0; i < pad; i++) head.put((byte) ' ');
            head.flip();
            while (head.hasRemaining()) ch.write(head);
            for (float[] values : data) {
                ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(values);
                while (buf.hasRemaining()) ch.write(buf);
            }
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
