package io.tinstream.models.embedding;

import io.tinstream.models.FeatureEncoding;
import java.util.Arrays;
import java.util.BitSet;

/**
 * Collisionless id -> row mapping of one categorical field: each admitted id holds a table row of
 * its own, no two admitted ids ever share one, and every other id (unknown, negative, not yet
 * admitted, expired, refused) maps to {@link FeatureEncoding#RESERVED_ROW}.
 *
 * <p>The trainer calls {@link #observe} for every id it trains on: an id is counted (count-min
 * sketch) until it has been seen {@code minCount} times, then takes a free row. {@link #expire}
 * frees the rows of ids not observed for {@code expiryMs}; a freed row is handed to a new id only
 * through an {@link Admission} that says {@code mustReset}, so the trainer cannot reuse a row
 * without being told to reinitialize it. A scorer replica only calls {@link #row}, and follows the
 * trainer through {@link IdRowMappingsFormat} snapshots and deltas.
 *
 * <p>Cost per row of capacity: id 4 B, last-seen 8 B, last-change sequence 8 B, free-row stack 4 B,
 * index 6-12 B (4 B slots at load 1/3-2/3), reset flag 1 bit: about 30-36 B, plus the sketch
 * ({@code width x depth} B) once per field. Not thread-safe: one trainer thread owns it.
 */
public final class IdRowMapping {
  static final int NO_ID = -1;

  private final IdRowMappingConfig config;
  private final Sequence sequence;

  /** Id holding each row, {@link #NO_ID} when free; row 0 is reserved and always free. */
  private final int[] idOfRow;

  private final long[] lastSeenMs;

  /** Sequence number of each row's last admission or expiry; 0 = never changed. */
  private final long[] changedAt;

  /** Rows freed by expiry and not yet handed out again: their vectors belong to the old id. */
  private final BitSet mustReset;

  /** Free rows; the top is handed out next. */
  private final int[] freeRows;

  private int freeCount;
  private final RowIndex index;
  private final CountMinSketch sketch;
  private long lastHalvingMs;
  private int liveRows;
  private long admissions;
  private long refusedFull;
  private long evictions;

  IdRowMapping(IdRowMappingConfig config, Sequence sequence) {
    this.config = config;
    this.sequence = sequence;
    int rows = config.rows();
    this.idOfRow = new int[rows];
    Arrays.fill(idOfRow, NO_ID);
    this.lastSeenMs = new long[rows];
    this.changedAt = new long[rows];
    this.mustReset = new BitSet(rows);
    this.freeRows = new int[rows - 1];
    // Pushed high to low so rows are handed out 1, 2, 3, ...
    for (int r = rows - 1; r >= 1; r--) {
      freeRows[freeCount++] = r;
    }
    this.index = new RowIndex(idOfRow);
    this.sketch =
        config.usesSketch() ? new CountMinSketch(config.sketchWidth(), config.sketchDepth()) : null;
    this.lastHalvingMs = Long.MIN_VALUE;
  }

  /** A mapping on its own, with its own change sequence. */
  public static IdRowMapping create(IdRowMappingConfig config) {
    return new IdRowMapping(config, new Sequence(0));
  }

  /** The id's own row, else the reserved row. Read-only: does not count or refresh the id. */
  public int row(int id) {
    if (id < 0) {
      return FeatureEncoding.RESERVED_ROW;
    }
    return index.find(id);
  }

  /**
   * Training-side observation of {@code id} at {@code nowMs}: refreshes an admitted id's expiry,
   * counts any other id and admits it once it reaches {@code minCount}. An admission onto a row
   * that held another id says {@code mustReset}: reset that row before training on it.
   */
  public Admission observe(int id, long nowMs) {
    if (id < 0) {
      return Admission.UNKNOWN_ID;
    }
    int row = index.find(id);
    if (row != FeatureEncoding.RESERVED_ROW) {
      // Late (out-of-order) events never shorten an id's life.
      lastSeenMs[row] = Math.max(lastSeenMs[row], nowMs);
      return new Admission(Admission.Outcome.KNOWN, row, false);
    }
    if (!reachesMinCount(id, nowMs)) {
      return Admission.PENDING;
    }
    if (freeCount == 0) {
      refusedFull++;
      return Admission.REFUSED_FULL;
    }
    row = freeRows[--freeCount];
    boolean reset = mustReset.get(row);
    mustReset.clear(row);
    idOfRow[row] = id;
    lastSeenMs[row] = nowMs;
    changedAt[row] = sequence.next();
    index.insert(row);
    liveRows++;
    admissions++;
    return new Admission(Admission.Outcome.ADMITTED, row, reset);
  }

  /**
   * {@link #observe(int, long)} for building a training feed: returns the row to feed and adds a
   * reused row to {@code resets}, which the trainer drains and resets before the step.
   */
  public int observe(int id, long nowMs, RowsToReset resets) {
    Admission a = observe(id, nowMs);
    if (a.mustReset()) {
      resets.add(a.row());
    }
    return a.row();
  }

  private boolean reachesMinCount(int id, long nowMs) {
    if (sketch == null) {
      return true;
    }
    long halving = config.sketchHalvingMs();
    if (halving > 0) {
      if (lastHalvingMs == Long.MIN_VALUE) {
        lastHalvingMs = nowMs;
      } else if (nowMs - lastHalvingMs >= halving) {
        sketch.halve();
        lastHalvingMs = nowMs;
      }
    }
    return sketch.add(id) >= config.minCount();
  }

  /**
   * Frees the rows of ids not observed for {@code expiryMs} up to {@code nowMs}; they are the rows
   * to reinitialize. O(rows): meant for a periodic sweep, not for every event.
   */
  public ExpiredRows expire(long nowMs) {
    long expiry = config.expiryMs();
    if (expiry == 0 || liveRows == 0) {
      return ExpiredRows.NONE;
    }
    int[] ids = new int[16];
    int[] rows = new int[16];
    int n = 0;
    for (int r = 1; r < idOfRow.length; r++) {
      int id = idOfRow[r];
      if (id != NO_ID && nowMs - lastSeenMs[r] >= expiry) {
        if (n == ids.length) {
          ids = Arrays.copyOf(ids, 2 * n);
          rows = Arrays.copyOf(rows, 2 * n);
        }
        ids[n] = id;
        rows[n] = r;
        n++;
        free(r);
        changedAt[r] = sequence.next();
        evictions++;
      }
    }
    return n == 0
        ? ExpiredRows.NONE
        : new ExpiredRows(Arrays.copyOf(ids, n), Arrays.copyOf(rows, n));
  }

  private void free(int row) {
    index.remove(row);
    idOfRow[row] = NO_ID;
    mustReset.set(row);
    freeRows[freeCount++] = row;
    liveRows--;
  }

  /** The id holding {@code row}, or -1 when the row is free (always for the reserved row). */
  public int idAtRow(int row) {
    return idOfRow[row];
  }

  public int rows() {
    return idOfRow.length;
  }

  public int liveRows() {
    return liveRows;
  }

  public IdRowMappingConfig config() {
    return config;
  }

  public MappingCounters counters() {
    return new MappingCounters(admissions, refusedFull, evictions, liveRows, idOfRow.length - 1);
  }

  /** Whether both map every id to the same row: same capacity, same id on every row. */
  public boolean sameRowsAs(IdRowMapping other) {
    return Arrays.equals(idOfRow, other.idOfRow);
  }

  /** Heap held by this mapping's arrays and sketch, in bytes (object headers included). */
  public long heapBytes() {
    long rows = idOfRow.length;
    long bytes = 16 + 4 * rows + 16 + 8 * rows + 16 + 8 * rows + 16 + 4 * (rows - 1);
    bytes += 16 + (rows + 63) / 64 * 8;
    bytes += index.heapBytes();
    if (sketch != null) {
      bytes += sketch.heapBytes();
    }
    return bytes;
  }

  // ---- state access for IdRowMappingsFormat (same package) ----

  long lastSeenMs(int row) {
    return lastSeenMs[row];
  }

  long changedAt(int row) {
    return changedAt[row];
  }

  boolean mustReset(int row) {
    return mustReset.get(row);
  }

  int freeCount() {
    return freeCount;
  }

  /** The i-th free row from the bottom of the stack (the last one is handed out next). */
  int freeRowAt(int i) {
    return freeRows[i];
  }

  CountMinSketch sketch() {
    return sketch;
  }

  long lastHalvingMs() {
    return lastHalvingMs;
  }

  long admissions() {
    return admissions;
  }

  long refusedFull() {
    return refusedFull;
  }

  long evictions() {
    return evictions;
  }

  /** Rows whose last change has a sequence number above {@code version}, ascending. */
  int[] rowsChangedSince(long version) {
    int n = 0;
    for (int r = 1; r < changedAt.length; r++) {
      if (changedAt[r] > version) {
        n++;
      }
    }
    int[] out = new int[n];
    int i = 0;
    for (int r = 1; r < changedAt.length; r++) {
      if (changedAt[r] > version) {
        out[i++] = r;
      }
    }
    return out;
  }

  /**
   * Restores a full state written by {@link IdRowMappingsFormat}; {@code liveIds[i]} holds {@code
   * liveRows[i]}, {@code freeStack} bottom to top. Validates that no row or id appears twice.
   */
  void restore(
      int[] liveRowsIn,
      int[] liveIds,
      long[] liveLastSeen,
      long[] liveChangedAt,
      int[] freeStack,
      boolean[] freeMustReset,
      long[] freeChangedAt,
      long admissionsIn,
      long refusedIn,
      long evictionsIn,
      long lastHalvingIn,
      byte[] sketchCells) {
    if (liveRowsIn.length + freeStack.length != idOfRow.length - 1) {
      throw new IllegalArgumentException(
          "snapshot has "
              + liveRowsIn.length
              + " live and "
              + freeStack.length
              + " free rows, expected "
              + (idOfRow.length - 1)
              + " in all");
    }
    freeCount = 0;
    for (int i = 0; i < liveRowsIn.length; i++) {
      int r = checkRow(liveRowsIn[i]);
      if (idOfRow[r] != NO_ID) {
        throw new IllegalArgumentException("snapshot lists row " + r + " twice");
      }
      int id = liveIds[i];
      if (id < 0) {
        throw new IllegalArgumentException("snapshot maps negative id " + id + " to row " + r);
      }
      if (index.find(id) != FeatureEncoding.RESERVED_ROW) {
        throw new IllegalArgumentException("snapshot maps id " + id + " to two rows");
      }
      idOfRow[r] = id;
      lastSeenMs[r] = liveLastSeen[i];
      changedAt[r] = liveChangedAt[i];
      index.insert(r);
    }
    BitSet seenFree = new BitSet(idOfRow.length);
    for (int i = 0; i < freeStack.length; i++) {
      int r = checkRow(freeStack[i]);
      if (idOfRow[r] != NO_ID || seenFree.get(r)) {
        throw new IllegalArgumentException("snapshot lists row " + r + " twice");
      }
      seenFree.set(r);
      freeRows[freeCount++] = r;
      mustReset.set(r, freeMustReset[i]);
      changedAt[r] = freeChangedAt[i];
    }
    liveRows = liveRowsIn.length;
    admissions = admissionsIn;
    refusedFull = refusedIn;
    evictions = evictionsIn;
    lastHalvingMs = lastHalvingIn;
    if (sketchCells != null && sketch != null) {
      // Same length: both come from the same config.
      System.arraycopy(sketchCells, 0, sketch.cells(), 0, sketchCells.length);
    }
  }

  /**
   * Checks that {@link #applyRowStates} can apply these row states without leaving two rows for one
   * id, so a bad delta is refused before any field changes: rows ascending and in range, ids
   * non-negative or -1, no id twice, and each assigned id either unmapped here or on a listed row
   * (which is cleared first).
   */
  void checkRowStates(int[] rows, int[] ids) {
    int assigned = 0;
    for (int i = 0; i < rows.length; i++) {
      checkRow(rows[i]);
      if (i > 0 && rows[i] <= rows[i - 1]) {
        throw new IllegalArgumentException(
            "delta rows must ascend, got " + rows[i - 1] + " then " + rows[i]);
      }
      if (ids[i] < NO_ID) {
        throw new IllegalArgumentException(
            "delta maps negative id " + ids[i] + " to row " + rows[i]);
      }
      if (ids[i] != NO_ID) {
        assigned++;
      }
    }
    int[] sorted = new int[assigned];
    int n = 0;
    for (int i = 0; i < rows.length; i++) {
      int id = ids[i];
      if (id == NO_ID) {
        continue;
      }
      sorted[n++] = id;
      int held = index.find(id);
      if (held != FeatureEncoding.RESERVED_ROW && Arrays.binarySearch(rows, held) < 0) {
        throw new IllegalStateException(
            "delta gives id "
                + id
                + " row "
                + rows[i]
                + " but this replica maps it to row "
                + held
                + ", which the delta leaves alone: the delta does not follow this replica's state;"
                + " load a full snapshot");
      }
    }
    Arrays.sort(sorted);
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i] == sorted[i - 1]) {
        throw new IllegalArgumentException("delta gives id " + sorted[i] + " two rows");
      }
    }
  }

  /**
   * Sets each listed row to the trainer's state: held by {@code ids[i]} (or free when -1) since
   * sequence {@code changed[i]}; {@link #checkRowStates} must have accepted them. Rows are cleared
   * first, then assigned, so an id that moved between two listed rows is never indexed twice. Rows
   * freed this way are flagged for reset.
   */
  void applyRowStates(int[] rows, int[] ids, long[] changed) {
    for (int r : rows) {
      if (idOfRow[r] != NO_ID) {
        index.remove(r);
        idOfRow[r] = NO_ID;
        liveRows--;
        mustReset.set(r);
      }
    }
    for (int i = 0; i < rows.length; i++) {
      int r = rows[i];
      changedAt[r] = changed[i];
      if (ids[i] != NO_ID) {
        idOfRow[r] = ids[i];
        mustReset.clear(r);
        index.insert(r);
        liveRows++;
      }
    }
    freeCount = 0;
    for (int r = idOfRow.length - 1; r >= 1; r--) {
      if (idOfRow[r] == NO_ID) {
        freeRows[freeCount++] = r;
      }
    }
  }

  private int checkRow(int r) {
    if (r < 1 || r >= idOfRow.length) {
      throw new IllegalArgumentException(
          "row " + r + " is outside [1, " + idOfRow.length + ") of this field");
    }
    return r;
  }
}
