package io.tinstream.models.embedding;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Versioned binary form of an {@link IdRowMappings}: a full snapshot, or a delta since a version
 * that brings any replica at or after that version to the writer's state. Big-endian ({@link
 * DataOutput}); the first byte is the format version, the second the kind.
 *
 * <pre>
 * snapshot v1: u8 version=1, u8 'S', i64 holderVersion, i32 fields, per field:
 *   utf name; config: i32 rows, i32 minCount, i64 expiryMs, i32 sketchWidth, i32 sketchDepth,
 *   i64 sketchHalvingMs; counters: i64 admissions, i64 refusedFull, i64 evictions;
 *   i64 lastHalvingMs; i32 live, per live row: i32 row, i32 id, i64 lastSeenMs, i64 changedAt;
 *   free-row stack bottom to top: i32 pristine (rows-1, rows-2, ... never used), i32 others, per
 *   other: i32 row, u8 mustReset, i64 changedAt; u8 sketch included, then u8 cells x (w*d)
 * delta v1: u8 version=1, u8 'D', i64 fromVersion, i64 toVersion, i32 fields, per field:
 *   utf name, i32 rows, i32 changed, per changed row: i32 row, i32 id (-1 = freed), i64 changedAt
 * </pre>
 *
 * <p>A delta lists each row changed after {@code fromVersion} with its current holder, so it is
 * bounded by the table size whatever the churn, and applying it is idempotent for a replica
 * anywhere in {@code [fromVersion, toVersion]}. A delta carries no counters, last-seen times or
 * sketch: a replica only maps ids. A trainer checkpoint takes a snapshot with the sketch.
 */
public final class IdRowMappingsFormat {
  /** Written by this build; readers accept every version in [1, this]. */
  public static final int VERSION = 1;

  private static final byte SNAPSHOT = 'S';
  private static final byte DELTA = 'D';

  private IdRowMappingsFormat() {}

  /** Full state; {@code withSketch} adds the pre-admission counts (for a trainer's checkpoint). */
  public static byte[] snapshot(IdRowMappings m, boolean withSketch) {
    return toBytes(out -> writeSnapshot(m, withSketch, out));
  }

  public static IdRowMappings readSnapshot(byte[] bytes) {
    return fromBytes(bytes, IdRowMappingsFormat::readSnapshot);
  }

  /** Whether {@code bytes} hold a snapshot (else a delta, or something this format refuses). */
  public static boolean isSnapshot(byte[] bytes) {
    return bytes.length >= 2 && bytes[1] == SNAPSHOT;
  }

  /** Every row changed after {@code sinceVersion}, up to the holder's current version. */
  public static byte[] delta(IdRowMappings m, long sinceVersion) {
    return toBytes(out -> writeDelta(m, sinceVersion, out));
  }

  /**
   * Brings {@code replica} to the delta's version. Returns false, changing nothing, when the
   * replica is already there or beyond; throws when the replica is older than the delta's start (it
   * missed changes and needs a snapshot) or its fields differ.
   */
  public static boolean applyDelta(IdRowMappings replica, byte[] delta) {
    return fromBytes(delta, in -> applyDelta(replica, in));
  }

  public static void writeSnapshot(IdRowMappings m, boolean withSketch, DataOutput out)
      throws IOException {
    out.writeByte(VERSION);
    out.writeByte(SNAPSHOT);
    out.writeLong(m.version());
    out.writeInt(m.fields().size());
    for (Map.Entry<String, IdRowMapping> e : m.fields().entrySet()) {
      out.writeUTF(e.getKey());
      writeField(e.getValue(), withSketch, out);
    }
  }

  private static void writeField(IdRowMapping f, boolean withSketch, DataOutput out)
      throws IOException {
    IdRowMappingConfig c = f.config();
    out.writeInt(c.rows());
    out.writeInt(c.minCount());
    out.writeLong(c.expiryMs());
    out.writeInt(c.sketchWidth());
    out.writeInt(c.sketchDepth());
    out.writeLong(c.sketchHalvingMs());
    out.writeLong(f.admissions());
    out.writeLong(f.refusedFull());
    out.writeLong(f.evictions());
    out.writeLong(f.lastHalvingMs());
    out.writeInt(f.liveRows());
    for (int r = 1; r < f.rows(); r++) {
      int id = f.idAtRow(r);
      if (id != IdRowMapping.NO_ID) {
        out.writeInt(r);
        out.writeInt(id);
        out.writeLong(f.lastSeenMs(r));
        out.writeLong(f.changedAt(r));
      }
    }
    // A fresh table's stack bottom is rows-1, rows-2, ... never used: one count, not one entry
    // per row, so a large, mostly empty table stays small.
    int free = f.freeCount();
    int pristine = 0;
    while (pristine < free
        && f.freeRowAt(pristine) == f.rows() - 1 - pristine
        && f.changedAt(f.freeRowAt(pristine)) == 0
        && !f.mustReset(f.freeRowAt(pristine))) {
      pristine++;
    }
    out.writeInt(pristine);
    out.writeInt(free - pristine);
    for (int i = pristine; i < free; i++) {
      int r = f.freeRowAt(i);
      out.writeInt(r);
      out.writeByte(f.mustReset(r) ? 1 : 0);
      out.writeLong(f.changedAt(r));
    }
    CountMinSketch s = f.sketch();
    if (withSketch && s != null) {
      out.writeByte(1);
      out.write(s.cells());
    } else {
      out.writeByte(0);
    }
  }

  public static IdRowMappings readSnapshot(DataInput in) throws IOException {
    readHeader(in, SNAPSHOT);
    long version = in.readLong();
    int n = readCount(in, "fields");
    IdRowMappings.Builder b = IdRowMappings.builder().startVersion(version);
    Map<String, FieldState> states = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String name = in.readUTF();
      IdRowMappingConfig config =
          new IdRowMappingConfig(
              in.readInt(), in.readInt(), in.readLong(), in.readInt(), in.readInt(), in.readLong());
      b.field(name, config);
      states.put(name, FieldState.read(config, in));
    }
    IdRowMappings m = b.build();
    for (Map.Entry<String, FieldState> e : states.entrySet()) {
      e.getValue().restoreInto(m.field(e.getKey()));
    }
    return m;
  }

  /** One field's snapshot, read fully before anything is restored. */
  private record FieldState(
      long admissions,
      long refused,
      long evictions,
      long lastHalvingMs,
      int[] liveRows,
      int[] liveIds,
      long[] liveLastSeen,
      long[] liveChangedAt,
      int[] freeStack,
      boolean[] freeMustReset,
      long[] freeChangedAt,
      byte[] sketchCells) {

    static FieldState read(IdRowMappingConfig c, DataInput in) throws IOException {
      long admissions = in.readLong();
      long refused = in.readLong();
      long evictions = in.readLong();
      long lastHalving = in.readLong();
      int live = readCount(in, "live rows");
      checkAtMost(live, c.rows() - 1, "live rows");
      int[] rows = new int[live];
      int[] ids = new int[live];
      long[] seen = new long[live];
      long[] changed = new long[live];
      for (int i = 0; i < live; i++) {
        rows[i] = in.readInt();
        ids[i] = in.readInt();
        seen[i] = in.readLong();
        changed[i] = in.readLong();
      }
      int pristine = readCount(in, "pristine free rows");
      int others = readCount(in, "free rows");
      checkAtMost((long) pristine + others, c.rows() - 1, "free rows");
      int[] stack = new int[pristine + others];
      boolean[] reset = new boolean[stack.length];
      long[] freeChanged = new long[stack.length];
      for (int i = 0; i < pristine; i++) {
        stack[i] = c.rows() - 1 - i;
      }
      for (int i = pristine; i < stack.length; i++) {
        stack[i] = in.readInt();
        reset[i] = in.readByte() != 0;
        freeChanged[i] = in.readLong();
      }
      byte[] cells = null;
      if (in.readByte() != 0) {
        cells = new byte[c.sketchWidth() * c.sketchDepth()];
        in.readFully(cells);
      }
      return new FieldState(
          admissions,
          refused,
          evictions,
          lastHalving,
          rows,
          ids,
          seen,
          changed,
          stack,
          reset,
          freeChanged,
          cells);
    }

    void restoreInto(IdRowMapping f) {
      f.restore(
          liveRows,
          liveIds,
          liveLastSeen,
          liveChangedAt,
          freeStack,
          freeMustReset,
          freeChangedAt,
          admissions,
          refused,
          evictions,
          lastHalvingMs,
          sketchCells);
    }
  }

  public static void writeDelta(IdRowMappings m, long sinceVersion, DataOutput out)
      throws IOException {
    if (sinceVersion < 0 || sinceVersion > m.version()) {
      throw new IllegalArgumentException(
          "delta since version " + sinceVersion + " but the mapping is at " + m.version());
    }
    out.writeByte(VERSION);
    out.writeByte(DELTA);
    out.writeLong(sinceVersion);
    out.writeLong(m.version());
    out.writeInt(m.fields().size());
    for (Map.Entry<String, IdRowMapping> e : m.fields().entrySet()) {
      IdRowMapping f = e.getValue();
      int[] rows = f.rowsChangedSince(sinceVersion);
      out.writeUTF(e.getKey());
      out.writeInt(f.rows());
      out.writeInt(rows.length);
      for (int r : rows) {
        out.writeInt(r);
        out.writeInt(f.idAtRow(r));
        out.writeLong(f.changedAt(r));
      }
    }
  }

  /** One field's part of a delta. */
  private record FieldDelta(int rows, int[] changedRows, int[] ids, long[] changedAt) {}

  public static boolean applyDelta(IdRowMappings replica, DataInput in) throws IOException {
    readHeader(in, DELTA);
    long from = in.readLong();
    long to = in.readLong();
    int n = readCount(in, "fields");
    Map<String, FieldDelta> deltas = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String name = in.readUTF();
      int rows = in.readInt();
      int changed = readCount(in, "changed rows");
      checkAtMost(changed, rows - 1, "changed rows");
      int[] r = new int[changed];
      int[] ids = new int[changed];
      long[] at = new long[changed];
      for (int j = 0; j < changed; j++) {
        r[j] = in.readInt();
        ids[j] = in.readInt();
        at[j] = in.readLong();
      }
      deltas.put(name, new FieldDelta(rows, r, ids, at));
    }
    if (!deltas.keySet().equals(replica.fieldNames())) {
      throw new IllegalArgumentException(
          "delta has fields " + deltas.keySet() + ", the replica " + replica.fieldNames());
    }
    for (Map.Entry<String, FieldDelta> e : deltas.entrySet()) {
      int rows = replica.field(e.getKey()).rows();
      if (e.getValue().rows() != rows) {
        throw new IllegalArgumentException(
            "field '"
                + e.getKey()
                + "' has "
                + e.getValue().rows()
                + " rows in the delta, "
                + rows
                + " in the replica");
      }
    }
    long at = replica.version();
    if (at >= to) {
      return false;
    }
    if (at < from) {
      throw new IllegalStateException(
          "delta covers versions ("
              + from
              + ", "
              + to
              + "] but the replica is at "
              + at
              + ": it missed changes; load a full snapshot");
    }
    // Every field is checked before any changes, so a refused delta leaves the replica as it was.
    for (Map.Entry<String, FieldDelta> e : deltas.entrySet()) {
      FieldDelta d = e.getValue();
      replica.field(e.getKey()).checkRowStates(d.changedRows(), d.ids());
    }
    for (Map.Entry<String, FieldDelta> e : deltas.entrySet()) {
      FieldDelta d = e.getValue();
      replica.field(e.getKey()).applyRowStates(d.changedRows(), d.ids(), d.changedAt());
    }
    replica.sequence().advanceTo(to);
    return true;
  }

  private static void readHeader(DataInput in, byte expectedKind) throws IOException {
    int version = in.readUnsignedByte();
    if (version < 1 || version > VERSION) {
      throw new IllegalArgumentException(
          "id-row mapping data has format version "
              + version
              + "; this build reads versions 1 to "
              + VERSION
              + " (written by a newer tinstream, or not id-row mapping data)");
    }
    byte kind = in.readByte();
    if (kind != expectedKind) {
      throw new IllegalArgumentException(
          "expected an id-row mapping "
              + kindName(expectedKind)
              + " but the data holds a "
              + kindName(kind));
    }
  }

  private static String kindName(byte kind) {
    return switch (kind) {
      case SNAPSHOT -> "snapshot";
      case DELTA -> "delta";
      default -> "record of unknown kind " + kind;
    };
  }

  private static int readCount(DataInput in, String what) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      throw new IllegalArgumentException("negative count of " + what + ": " + n);
    }
    return n;
  }

  private static void checkAtMost(long n, long max, String what) {
    if (n > max) {
      throw new IllegalArgumentException(n + " " + what + " in a field of " + max + " usable rows");
    }
  }

  private interface Writer {
    void write(DataOutput out) throws IOException;
  }

  private interface Reader<T> {
    T read(DataInput in) throws IOException;
  }

  private static byte[] toBytes(Writer w) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      w.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static <T> T fromBytes(byte[] bytes, Reader<T> r) {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    try {
      T value = r.read(in);
      if (in.available() > 0) {
        throw new IllegalArgumentException(
            in.available() + " bytes left after the id-row mapping data");
      }
      return value;
    } catch (EOFException e) {
      throw new IllegalArgumentException("id-row mapping data is truncated", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
