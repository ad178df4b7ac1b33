package io.tinstream.models.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Versioned byte format for model variables ("variables as data").
 *
 * <pre>
 * int   magic 'TINV'
 * int   format version (currently 2)
 * byte  kind (1 = full snapshot, 2 = delta of touched rows)
 * UTF   variant name
 * long  model version, long base version (delta: rows touched after it; full: -1)
 * long  optimizer step (Adam bias correction)
 * int   dense count; per entry: UTF name, int rank, long[rank] dims, float[prod(dims)]
 * int   table count; per entry: UTF name, int dim, int nRows (-1 = every row in order),
 *       int[nRows] row ids, float[n*dim] values, float[n*dim] Adagrad accumulators
 * int   id-row bytes (-1 = none: a hashed model), then that many bytes of {@link
 *       io.tinstream.models.embedding.IdRowMappingsFormat} (a snapshot in a full export, a
 *       snapshot or a delta in a delta export); since version 2, version 1 has no such field
 * </pre>
 *
 * Floats are big-endian IEEE 754. Readers accept every format version up to {@link #FORMAT_VERSION}
 * and reject newer ones with a clear message.
 *
 * <p>Decoding is bounded by the export's own length, like the topics' Avro records: a declared
 * count larger than the bytes left, or bytes left over after the last table, make the export
 * corrupt ({@link IllegalArgumentException}) before anything that size is allocated, so a damaged
 * model update costs a rejection, never the reader's heap.
 */
public final class VariableCodec {
  public static final int MAGIC = 0x54494E56;
  public static final int FORMAT_VERSION = 2;

  /** Decoded content of one export; {@code idRows} null for a hashed model's. */
  public record Snapshot(
      boolean full,
      String variant,
      long version,
      long baseVersion,
      long optimizerStep,
      Map<String, Dense> dense,
      Map<String, Rows> tables,
      byte[] idRows) {}

  /** What an export says it is, read without its tensors. */
  public record Header(boolean full, String variant, long version, long baseVersion) {}

  public record Dense(long[] shape, float[] values) {}

  /** {@code rows == null} means every row of the table, in order. */
  public record Rows(int dim, int[] rows, float[] values, float[] accum) {}

  private VariableCodec() {}

  public static byte[] encode(Snapshot s) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(MAGIC);
      out.writeInt(FORMAT_VERSION);
      out.writeByte(s.full() ? 1 : 2);
      out.writeUTF(s.variant());
      out.writeLong(s.version());
      out.writeLong(s.baseVersion());
      out.writeLong(s.optimizerStep());
      out.writeInt(s.dense().size());
      for (Map.Entry<String, Dense> e : s.dense().entrySet()) {
        out.writeUTF(e.getKey());
        long[] shape = e.getValue().shape();
        out.writeInt(shape.length);
        for (long d : shape) {
          out.writeLong(d);
        }
        writeFloats(out, e.getValue().values());
      }
      out.writeInt(s.tables().size());
      for (Map.Entry<String, Rows> e : s.tables().entrySet()) {
        Rows r = e.getValue();
        out.writeUTF(e.getKey());
        out.writeInt(r.dim());
        if (r.rows() == null) {
          out.writeInt(-1);
        } else {
          out.writeInt(r.rows().length);
          ByteBuffer bb = ByteBuffer.allocate(r.rows().length * 4);
          bb.asIntBuffer().put(r.rows());
          out.write(bb.array());
        }
        writeFloats(out, r.values());
        writeFloats(out, r.accum());
      }
      if (s.idRows() == null) {
        out.writeInt(-1);
      } else {
        out.writeInt(s.idRows().length);
        out.write(s.idRows());
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The export's kind, variant and versions, from its first bytes only: what a holder checks
   * against the record that carried it before paying for a whole import.
   */
  public static Header header(byte[] data) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
      if (in.readInt() != MAGIC) {
        throw new IllegalArgumentException("not a tinstream variable export (bad magic)");
      }
      in.readInt(); // format version: checked by decode
      byte kind = in.readByte();
      String variant = in.readUTF();
      long version = in.readLong();
      long base = in.readLong();
      return new Header(kind == 1, variant, version, base);
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated or corrupt variable export: " + e, e);
    }
  }

  public static Snapshot decode(byte[] data) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
      int magic = in.readInt();
      if (magic != MAGIC) {
        throw new IllegalArgumentException("not a tinstream variable export (bad magic)");
      }
      int fmt = in.readInt();
      if (fmt < 1 || fmt > FORMAT_VERSION) {
        throw new IllegalArgumentException(
            "variable format version "
                + fmt
                + " not supported (this code reads 1.."
                + FORMAT_VERSION
                + ")");
      }
      byte kind = in.readByte();
      if (kind != 1 && kind != 2) {
        throw new IllegalArgumentException("unknown export kind " + kind);
      }
      String variant = in.readUTF();
      long version = in.readLong();
      long base = in.readLong();
      long step = in.readLong();
      int nd = in.readInt();
      Map<String, Dense> dense = new LinkedHashMap<>();
      for (int i = 0; i < nd; i++) {
        String name = in.readUTF();
        int rank = in.readInt();
        long[] shape = new long[rank];
        long count = 1;
        for (int k = 0; k < rank; k++) {
          shape[k] = in.readLong();
          if (shape[k] < 0 || shape[k] > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                "corrupt variable export: dimension " + shape[k] + " of " + name);
          }
          count = Math.multiplyExact(count, shape[k]);
        }
        if (count > Integer.MAX_VALUE) {
          throw new IllegalArgumentException(
              "corrupt variable export: " + count + " values declared for " + name);
        }
        dense.put(name, new Dense(shape, readFloats(in, (int) count)));
      }
      int nt = in.readInt();
      Map<String, Rows> tables = new LinkedHashMap<>();
      for (int i = 0; i < nt; i++) {
        String name = in.readUTF();
        int dim = in.readInt();
        if (dim <= 0) {
          throw new IllegalArgumentException("corrupt variable export: dim " + dim + " of " + name);
        }
        int n = in.readInt();
        int[] rows = null;
        int count;
        if (n >= 0) {
          byte[] raw = new byte[Math.toIntExact(need(in, 4L * n))];
          in.readFully(raw);
          rows = new int[n];
          ByteBuffer.wrap(raw).asIntBuffer().get(rows);
          count = Math.toIntExact((long) n * dim);
          float[] values = readFloats(in, count);
          float[] accum = readFloats(in, count);
          tables.put(name, new Rows(dim, rows, values, accum));
        } else {
          // Full table: the value count is implied by the stream, stored as a length prefix.
          float[] values = readFloats(in, -1);
          float[] accum = readFloats(in, values.length);
          tables.put(name, new Rows(dim, null, values, accum));
        }
      }
      byte[] idRows = null;
      if (fmt >= 2) {
        int n = in.readInt();
        if (n >= 0) {
          idRows = new byte[Math.toIntExact(need(in, n))];
          in.readFully(idRows);
        }
      }
      if (in.available() > 0) {
        throw new IllegalArgumentException(
            "corrupt variable export: " + in.available() + " trailing bytes after the last part");
      }
      return new Snapshot(kind == 1, variant, version, base, step, dense, tables, idRows);
    } catch (IOException | ArithmeticException | NegativeArraySizeException e) {
      throw new IllegalArgumentException("truncated or corrupt variable export: " + e, e);
    }
  }

  /**
   * {@code bytes}, if that many are left to read (the stream is over an array, so {@code available}
   * is exact); a corrupt count is refused before it is allocated.
   */
  private static long need(DataInputStream in, long bytes) throws IOException {
    if (bytes < 0 || bytes > in.available()) {
      throw new IllegalArgumentException(
          "truncated or corrupt variable export: "
              + bytes
              + " bytes declared, "
              + in.available()
              + " left");
    }
    return bytes;
  }

  private static void writeFloats(DataOutputStream out, float[] a) throws IOException {
    out.writeInt(a.length);
    ByteBuffer bb = ByteBuffer.allocate(a.length * 4);
    bb.asFloatBuffer().put(a);
    out.write(bb.array());
  }

  private static float[] readFloats(DataInputStream in, int expected) throws IOException {
    int n = in.readInt();
    if (expected >= 0 && n != expected) {
      throw new IllegalArgumentException("expected " + expected + " floats, found " + n);
    }
    byte[] raw = new byte[Math.toIntExact(need(in, 4L * n))];
    in.readFully(raw);
    float[] a = new float[n];
    ByteBuffer.wrap(raw).asFloatBuffer().get(a);
    return a;
  }
}
