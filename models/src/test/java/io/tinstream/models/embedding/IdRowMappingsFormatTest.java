package io.tinstream.models.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IdRowMappingsFormatTest {
  private static final String SNAPSHOT_V1 = MappingFixtures.SNAPSHOT_V1;
  private static final String DELTA_V1 = MappingFixtures.DELTA_V1;

  private static MappingFixtures.Fields fields() {
    return new MappingFixtures.Fields();
  }

  private static IdRowMappings emptyLike(IdRowMappings m) {
    IdRowMappings.Builder b = IdRowMappings.builder();
    for (String name : m.fieldNames()) {
      b.field(name, m.field(name).config());
    }
    return b.build();
  }

  @Test
  void snapshotRoundTripMapsEveryIdToTheSameRow() {
    MappingFixtures.Fields f = fields().fill();
    for (boolean withSketch : new boolean[] {false, true}) {
      IdRowMappings back =
          IdRowMappingsFormat.readSnapshot(IdRowMappingsFormat.snapshot(f.mappings, withSketch));
      assertThat(back.sameRowsAs(f.mappings)).isTrue();
      assertThat(back.version()).isEqualTo(f.mappings.version());
      assertThat(back.counters()).isEqualTo(f.mappings.counters());
      for (int id = 0; id < 1000; id++) {
        assertThat(back.field("item").row(id)).isEqualTo(f.item.row(id));
        assertThat(back.field("cat1").row(id)).isEqualTo(f.cat1.row(id));
      }
    }
  }

  @Test
  void trainerRestoredFromASnapshotWithSketchContinuesIdentically() {
    IdRowMappings trainer =
        IdRowMappings.builder()
            .field(
                "item",
                IdRowMappingConfig.builder(50).minCount(3).expiryMs(300).sketch(128, 3).build())
            .build();
    Random rnd = new Random(11);
    long now = 0;
    for (int i = 0; i < 5000; i++) {
      now += rnd.nextInt(3);
      trainer.field("item").observe(rnd.nextInt(300), now);
      if (i % 100 == 0) {
        trainer.expire(now);
      }
    }
    IdRowMappings restored =
        IdRowMappingsFormat.readSnapshot(IdRowMappingsFormat.snapshot(trainer, true));
    for (int i = 0; i < 5000; i++) {
      now += rnd.nextInt(3);
      int id = rnd.nextInt(300);
      assertThat(restored.field("item").observe(id, now))
          .as("step %d, id %d", i, id)
          .isEqualTo(trainer.field("item").observe(id, now));
      if (i % 100 == 0) {
        assertThat(restored.expire(now)).isEqualTo(trainer.expire(now));
      }
    }
    assertThat(restored.sameRowsAs(trainer)).isTrue();
  }

  @Test
  void deltaAppliedToAReplicaGivesTheTrainersMapping() {
    MappingFixtures.Fields f = fields();
    IdRowMappings replica = emptyLike(f.mappings);
    f.item.observe(100, 0);
    f.item.observe(100, 0);
    f.cat1.observe(5, 0);
    long v1 = f.mappings.version();
    assertThat(IdRowMappingsFormat.applyDelta(replica, IdRowMappingsFormat.delta(f.mappings, 0)))
        .isTrue();
    assertThat(replica.field("item").row(100)).isEqualTo(f.item.row(100)).isPositive();
    f.fill();
    byte[] delta = IdRowMappingsFormat.delta(f.mappings, v1);
    assertThat(IdRowMappingsFormat.applyDelta(replica, delta)).isTrue();
    assertThat(replica.sameRowsAs(f.mappings)).isTrue();
    assertThat(replica.version()).isEqualTo(f.mappings.version());
    for (int id = 0; id < 1000; id++) {
      assertThat(replica.field("item").row(id)).isEqualTo(f.item.row(id));
      assertThat(replica.field("cat1").row(id)).isEqualTo(f.cat1.row(id));
    }
    assertThat(IdRowMappingsFormat.applyDelta(replica, delta)).as("already applied").isFalse();
    // An expiry alone, its row not reused yet, must reach the replica too.
    long v2 = f.mappings.version();
    assertThat(f.mappings.expire(1_000_000).get("item").ids()).containsExactly(500, 200, 400);
    assertThat(IdRowMappingsFormat.applyDelta(replica, IdRowMappingsFormat.delta(f.mappings, v2)))
        .isTrue();
    assertThat(replica.field("item").row(400)).isZero();
    assertThat(replica.field("item").liveRows()).isZero();
    assertThat(replica.sameRowsAs(f.mappings)).isTrue();
  }

  @Test
  void aReplicaThatMissedChangesIsToldToLoadASnapshot() {
    MappingFixtures.Fields f = fields();
    IdRowMappings replica = emptyLike(f.mappings);
    f.item.observe(100, 0);
    f.item.observe(100, 0);
    long v = f.mappings.version();
    f.cat1.observe(5, 0);
    assertThatThrownBy(
            () -> IdRowMappingsFormat.applyDelta(replica, IdRowMappingsFormat.delta(f.mappings, v)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("replica is at 0")
        .hasMessageContaining("load a full snapshot");
  }

  @Test
  void aDeltaFromAnotherTrainerIsRefusedAndChangesNothing() {
    IdRowMappings a = twoFields();
    IdRowMappings b = twoFields();
    a.field("item").observe(1, 0);
    b.field("item").observe(2, 0);
    b.field("item").observe(1, 0);
    b.field("cat1").observe(9, 0);
    IdRowMappings replica =
        IdRowMappingsFormat.readSnapshot(IdRowMappingsFormat.snapshot(a, false));
    assertThatThrownBy(
            () -> IdRowMappingsFormat.applyDelta(replica, IdRowMappingsFormat.delta(b, 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("gives id 1 row 2 but this replica maps it to row 1")
        .hasMessageContaining("load a full snapshot");
    assertThat(replica.sameRowsAs(a)).isTrue();
    assertThat(replica.field("cat1").row(9)).as("the field checked first").isZero();
    assertThat(replica.version()).isEqualTo(1);
  }

  private static IdRowMappings twoFields() {
    return IdRowMappings.builder()
        .field("cat1", IdRowMappingConfig.builder(4).build())
        .field("item", IdRowMappingConfig.builder(4).build())
        .build();
  }

  @Test
  void aDeltaForOtherFieldsIsRejected() {
    MappingFixtures.Fields f = fields().fill();
    IdRowMappings other =
        IdRowMappings.builder().field("item", IdRowMappingConfig.builder(8).build()).build();
    assertThatThrownBy(
            () -> IdRowMappingsFormat.applyDelta(other, IdRowMappingsFormat.delta(f.mappings, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[item, cat1]");
  }

  @Test
  void readingRejectsAnUnknownFormatVersion() {
    byte[] bytes = IdRowMappingsFormat.snapshot(fields().fill().mappings, true);
    bytes[0] = 2;
    assertThatThrownBy(() -> IdRowMappingsFormat.readSnapshot(bytes))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "id-row mapping data has format version 2; this build reads versions 1 to 1"
                + " (written by a newer tinstream, or not id-row mapping data)");
    byte[] delta = IdRowMappingsFormat.delta(fields().fill().mappings, 0);
    delta[0] = 9;
    assertThatThrownBy(() -> IdRowMappingsFormat.applyDelta(fields().mappings, delta))
        .hasMessageContaining("format version 9");
  }

  @Test
  void readingRejectsTheWrongKindAndTruncatedData() {
    IdRowMappings m = fields().fill().mappings;
    byte[] delta = IdRowMappingsFormat.delta(m, 0);
    assertThatThrownBy(() -> IdRowMappingsFormat.readSnapshot(delta))
        .hasMessage("expected an id-row mapping snapshot but the data holds a delta");
    byte[] snapshot = IdRowMappingsFormat.snapshot(m, false);
    byte[] cut = Arrays.copyOf(snapshot, snapshot.length - 3);
    assertThatThrownBy(() -> IdRowMappingsFormat.readSnapshot(cut))
        .hasMessage("id-row mapping data is truncated");
  }

  /** The fixtures: format version 1 must stay readable whatever later versions change. */
  @Test
  void formatVersion1FixturesStillRead() throws IOException {
    IdRowMappings s = IdRowMappingsFormat.readSnapshot(resource(SNAPSHOT_V1));
    assertFixtureMapping(s);
    assertThat(s.counters().get("item")).isEqualTo(new MappingCounters(4, 0, 1, 3, 7));
    assertThat(s.counters().get("cat1")).isEqualTo(new MappingCounters(3, 1, 0, 3, 3));
    assertThat(s.field("item").config()).isEqualTo(new IdRowMappingConfig(8, 2, 1000, 64, 2, 1000));
    // The sketch came along, halved at t=1100 (100: 2 -> 1) and counting 500 twice after that.
    assertThat(s.field("item").sketch().estimate(500)).isEqualTo(2);
    assertThat(s.field("item").sketch().estimate(100)).isEqualTo(1);
    // So did the free-row stack: 100 is back on one observation, onto the next never-used row.
    assertThat(s.field("item").observe(100, 1200))
        .isEqualTo(new Admission(Admission.Outcome.ADMITTED, 4, false));

    IdRowMappings replica = emptyLike(IdRowMappingsFormat.readSnapshot(resource(SNAPSHOT_V1)));
    assertThat(IdRowMappingsFormat.applyDelta(replica, resource(DELTA_V1))).isTrue();
    assertFixtureMapping(replica);
  }

  private static void assertFixtureMapping(IdRowMappings m) {
    assertThat(m.version()).isEqualTo(8);
    IdRowMapping item = m.field("item");
    assertThat(item.row(500)).isEqualTo(1);
    assertThat(item.row(200)).isEqualTo(2);
    assertThat(item.row(400)).isEqualTo(3);
    assertThat(item.row(100)).as("expired").isZero();
    assertThat(item.row(300)).as("seen once, minCount 2").isZero();
    IdRowMapping cat1 = m.field("cat1");
    assertThat(new int[] {cat1.row(5), cat1.row(6), cat1.row(7), cat1.row(8)})
        .containsExactly(1, 2, 3, 0);
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = IdRowMappingsFormatTest.class.getResourceAsStream(name)) {
      assertThat(in).as("fixture %s on the test classpath", name).isNotNull();
      return in.readAllBytes();
    }
  }
}
