package io.tinstream.models.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Memory of a field mapping per million admitted ids: the arrays' exact size, the heap a GC sees
 * grow, and the snapshot a model update would ship. Prints the figures.
 */
class IdRowMappingMemoryTest {
  private static final int IDS = 1_000_000;

  @Test
  void oneMillionIds() {
    long before = usedAfterGc();
    long t0 = System.nanoTime();
    IdRowMappings m =
        IdRowMappings.builder()
            .field("item", IdRowMappingConfig.builder(IDS + 1).minCount(2).expiryMs(60_000).build())
            .build();
    IdRowMapping item = m.field("item");
    // One instant: no expiry and no sketch halving while filling.
    for (int i = 0; i < IDS; i++) {
      item.observe(id(i), 0);
    }
    int firstSight = item.liveRows();
    // Default sketch width 2 x rows: few once-seen ids pass minCount 2 by over-estimate.
    assertThat(firstSight).isLessThan(IDS / 100);
    for (int i = 0; i < IDS; i++) {
      item.observe(id(i), 0);
    }
    long fillNs = System.nanoTime() - t0;
    long t1 = System.nanoTime();
    long sum = 0;
    for (int i = 0; i < IDS; i++) {
      sum += item.row(id(i));
    }
    long lookupNs = System.nanoTime() - t1;
    long used = usedAfterGc() - before;
    assertThat(item.liveRows()).isEqualTo(IDS);
    assertThat(sum).isEqualTo((long) IDS * (IDS + 1) / 2);

    long arrays = m.heapBytes();
    int snapshot = IdRowMappingsFormat.snapshot(m, false).length;
    int withSketch = IdRowMappingsFormat.snapshot(m, true).length;
    long sketch = item.sketch().heapBytes();
    System.out.printf(
        "id-row mapping, %d ids in %d rows: arrays %.1f B/id (%.1f MB, of which sketch %s %.1f MB),"
            + " heap growth after GC %.1f B/id, snapshot %.1f B/id (%.1f MB; with sketch %.1f MB),"
            + " %d observe calls in %d ms, %d lookups in %d ms; admitted at first sight (sketch"
            + " over-estimate, minCount 2): %d%n",
        IDS,
        IDS + 1,
        (double) arrays / IDS,
        arrays / 1e6,
        item.config().sketchWidth() + "x" + item.config().sketchDepth(),
        sketch / 1e6,
        (double) used / IDS,
        (double) snapshot / IDS,
        snapshot / 1e6,
        withSketch / 1e6,
        2 * IDS,
        fillNs / 1_000_000,
        IDS,
        lookupNs / 1_000_000,
        firstSight);
    // 4 + 8 + 8 + 4 B of arrays per row, 4 B index slots at 1.5-3 slots per row; the sketch apart.
    assertThat((double) (arrays - sketch) / IDS).isBetween(30.0, 36.5);
    assertThat(snapshot).isEqualTo(expectedSnapshotBytes());
    // Loose: GC accounting varies by collector, but a leak or an object per id would show.
    assertThat((double) used / IDS).isLessThan(60.0);
  }

  /** Header, one field's name/config/counters, 24 B per live row, empty free stack, no sketch. */
  private static int expectedSnapshotBytes() {
    int header = 1 + 1 + 8 + 4;
    int field = (2 + 4) + (4 + 4 + 8 + 4 + 4 + 8) + 4 * 8 + 4 + 4 + 4 + 1;
    return header + field + 24 * IDS;
  }

  private static int id(int i) {
    return (int) ((i * 2654435761L) & 0x7fffffffL);
  }

  private static long usedAfterGc() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
