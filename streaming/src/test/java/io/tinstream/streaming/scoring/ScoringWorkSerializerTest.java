package io.tinstream.streaming.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.ModelParams;
import io.tinstream.training.features.HistorySelector;
import io.tinstream.training.features.RowHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Flink's serializer contract (copy, duplicate, snapshot, sequences) plus our own layout checks.
 */
class ScoringWorkSerializerTest extends SerializerTestBase<ScoringWork> {

  @Override
  protected TypeSerializer<ScoringWork> createSerializer() {
    return new ScoringWorkSerializer();
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<ScoringWork> getTypeClass() {
    return ScoringWork.class;
  }

  @Override
  protected ScoringWork[] getTestData() {
    ScoringWork[] v1 = writtenByVersion1();
    ScoringWork[] all = java.util.Arrays.copyOf(v1, v1.length + 1);
    // Produced to Kafka well before the job received it: a produce time of its own (version 2).
    all[v1.length] =
        ScoringWork.of(
            ScoringWorkTest.request(ScoringWorkTest.item(7, 1)),
            5_000L,
            1_000L,
            3,
            List.of(RowHistory.EMPTY));
    return all;
  }

  /** What the version-1 fixtures hold (a version-1 layout has no produce time of its own). */
  private static ScoringWork[] writtenByVersion1() {
    var request =
        ScoringWorkTest.request(
            ScoringWorkTest.item(900, 1),
            ScoringWorkTest.item(901, 2),
            ScoringWorkTest.item(902, 1));
    return new ScoringWork[] {
      ScoringWork.select(
          request,
          new HistorySelector(HistorySelector.Kind.HIERARCHICAL_SEARCH, 4),
          ScoringWorkTest.past(),
          30,
          123L),
      ScoringWork.select(
          request,
          new HistorySelector(HistorySelector.Kind.SOFT_SEARCH_WINDOW, 16),
          ScoringWorkTest.past(),
          30,
          Long.MAX_VALUE),
      ScoringWork.of(
          ScoringWorkTest.request(ScoringWorkTest.item(1, 0)), 0, 0, List.of(RowHistory.EMPTY)),
      ScoringWork.of(ScoringWorkTest.request(), -1, 0, List.of()),
    };
  }

  @Test
  void duplicatedCandidatesAreWrittenOnce() throws Exception {
    var shared =
        ScoringWork.select(
            ScoringWorkTest.request(
                ScoringWorkTest.item(900, 1),
                ScoringWorkTest.item(901, 1),
                ScoringWorkTest.item(902, 1)),
            new HistorySelector(HistorySelector.Kind.HIERARCHICAL_SEARCH, 4),
            ScoringWorkTest.past(),
            30,
            0L);
    var each =
        ScoringWork.of(
            shared.request(),
            0L,
            30,
            List.of(shared.history(0), shared.history(1), shared.history(2)));
    // A history: its length, its column count, each field's name and int column, then the
    // position (int) and time (long) columns.
    int n = shared.history(0).size();
    int perHistory = 2 * Integer.BYTES + n * (Integer.BYTES + Long.BYTES);
    for (ModelParams.Field f : ModelParams.Field.values()) {
      perHistory += 2 + f.key().length() + n * Integer.BYTES;
    }
    assertThat(shared.history(0).size()).isEqualTo(4);
    assertThat(bytes(each).length - bytes(shared).length)
        .as("the shared history written once, not three times")
        .isEqualTo(2 * perHistory);
    assertThat(roundTrip(shared).distinctHistories()).hasSize(1);
  }

  @Test
  void theCurrentSnapshotReadsBackCompatibleAsIs() throws Exception {
    TypeSerializerSnapshot<ScoringWork> snapshot = getSerializer().snapshotConfiguration();
    DataOutputSerializer out = new DataOutputSerializer(256);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
    TypeSerializerSnapshot<ScoringWork> restored =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

    assertThat(restored).isInstanceOf(ScoringWorkSerializerSnapshot.class);
    assertThat(restored.getCurrentVersion()).isEqualTo(snapshot.getCurrentVersion());
    TypeSerializerSchemaCompatibility<ScoringWork> compatibility =
        new ScoringWorkSerializer().snapshotConfiguration().resolveSchemaCompatibility(restored);
    assertThat(compatibility.isCompatibleAsIs()).isTrue();
    ScoringWork data = getTestData()[0];
    assertThat(roundTrip(data, restored.restoreSerializer())).isEqualTo(data);
  }

  private static final Path FIXTURES = Path.of("src/test/resources/serializers");

  /**
   * Snapshot and records written by version 1, kept under test resources: every later serializer
   * must still read them, and asks Flink to migrate state written in them (a produce time is added
   * in version 2: the arrival time stands in for it).
   */
  @Test
  void readsWhatVersion1WroteAndMigratesIt() throws Exception {
    TypeSerializerSnapshot<ScoringWork> written = fixtureSnapshot(1);
    assertMigrates(written);
    assertReads(written.restoreSerializer(), 1, withFieldsOfLayout2Only(writtenByVersion1()));
  }

  /**
   * Version 2 as above: the produce time is read, the fields its six id columns lack are unknown.
   */
  @Test
  void readsWhatVersion2WroteAndMigratesIt() throws Exception {
    TypeSerializerSnapshot<ScoringWork> written = fixtureSnapshot(2);
    assertMigrates(written);
    assertReads(written.restoreSerializer(), 2, withFieldsOfLayout2Only(getTestData()));
    assertThat(getTestData()[getTestData().length - 1].producedAt()).isEqualTo(1_000L);
  }

  /** The same work with every id column but item, categories, action and scenario unknown. */
  private static ScoringWork[] withFieldsOfLayout2Only(ScoringWork[] works) {
    ScoringWork[] out = new ScoringWork[works.length];
    for (int w = 0; w < works.length; w++) {
      ScoringWork work = works[w];
      List<HistoryColumns> histories = new java.util.ArrayList<>();
      for (HistoryColumns h : work.distinctHistories()) {
        int[][] ids = new int[ModelParams.Field.values().length][];
        for (ModelParams.Field f : ModelParams.Field.values()) {
          ids[f.ordinal()] = h.column(f).clone();
          if (f.ordinal() > ModelParams.Field.SCENARIO.ordinal()) {
            java.util.Arrays.fill(ids[f.ordinal()], -1);
          }
        }
        histories.add(new HistoryColumns(ids, h.position, h.time));
      }
      int[] historyOf = new int[work.candidates()];
      for (int c = 0; c < historyOf.length; c++) {
        historyOf[c] = work.historyIndex(c);
      }
      out[w] =
          new ScoringWork(
              work.request(),
              work.arrivedAt(),
              work.producedAt(),
              work.trajectoryLength(),
              histories,
              historyOf);
    }
    return out;
  }

  @Test
  void aHistoryCarriesEveryField() throws Exception {
    HistoryColumns h = roundTrip(getTestData()[0]).history(0);
    assertThat(h.size()).isPositive();
    // The fixture's behaviors have product and SPU ids and the content domain.
    assertThat(h.column(ModelParams.Field.PRODUCT)).doesNotContain(-1);
    assertThat(h.column(ModelParams.Field.SPU)).doesNotContain(-1);
    assertThat(h.column(ModelParams.Field.DOMAIN)).doesNotContain(-1);
    assertThat(h.column(ModelParams.Field.ACTION_DETAIL)).containsOnly(0);
    assertThat(h).isEqualTo(getTestData()[0].history(0));
  }

  /**
   * As above for version 3, the current one (regenerate only for a new version, with {@code
   * -Dtinstream.write-serializer-fixtures=true}, and keep the old files).
   */
  @Test
  void readsWhatVersion3Wrote() throws Exception {
    int current = ScoringWorkSerializerSnapshot.CURRENT_VERSION;
    if (Boolean.getBoolean("tinstream.write-serializer-fixtures")) {
      Files.createDirectories(FIXTURES);
      DataOutputSerializer snapshot = new DataOutputSerializer(1024);
      TypeSerializerSnapshot.writeVersionedSnapshot(
          snapshot, getSerializer().snapshotConfiguration());
      Files.write(fixture(current, "snapshot"), snapshot.getCopyOfBuffer());
      DataOutputSerializer data = new DataOutputSerializer(4096);
      for (ScoringWork w : getTestData()) {
        getSerializer().serialize(w, data);
      }
      Files.write(fixture(current, "data"), data.getCopyOfBuffer());
    }
    TypeSerializerSnapshot<ScoringWork> written = fixtureSnapshot(3);
    assertThat(
            getSerializer()
                .snapshotConfiguration()
                .resolveSchemaCompatibility(written)
                .isCompatibleAsIs())
        .isTrue();
    assertReads(written.restoreSerializer(), 3, getTestData());
  }

  private static Path fixture(int version, String what) {
    return FIXTURES.resolve("scoring-work-v" + version + "-" + what);
  }

  private TypeSerializerSnapshot<ScoringWork> fixtureSnapshot(int version) throws Exception {
    return TypeSerializerSnapshot.readVersionedSnapshot(
        new DataInputDeserializer(Files.readAllBytes(fixture(version, "snapshot"))),
        getClass().getClassLoader());
  }

  private static void assertReads(
      TypeSerializer<ScoringWork> reader, int version, ScoringWork[] expected) throws Exception {
    DataInputDeserializer data =
        new DataInputDeserializer(Files.readAllBytes(fixture(version, "data")));
    for (ScoringWork w : expected) {
      assertThat(reader.deserialize(data)).isEqualTo(w);
    }
    assertThat(data.available()).isZero();
  }

  @Test
  void flinkTakesTheTypeFromTheAnnotationNotKryo() {
    TypeInformation<ScoringWork> type = TypeInformation.of(ScoringWork.class);
    assertThat(type).isSameAs(ScoringWorkTypeInfo.INSTANCE);
    assertThat(type.createSerializer(new SerializerConfigImpl()))
        .isInstanceOf(ScoringWorkSerializer.class);
  }

  private byte[] bytes(ScoringWork work) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(1024);
    getSerializer().serialize(work, out);
    return out.getCopyOfBuffer();
  }

  private ScoringWork roundTrip(ScoringWork work) throws Exception {
    return roundTrip(work, getSerializer());
  }

  private ScoringWork roundTrip(ScoringWork work, TypeSerializer<ScoringWork> reader)
      throws Exception {
    return reader.deserialize(new DataInputDeserializer(bytes(work)));
  }

  private void assertMigrates(TypeSerializerSnapshot<ScoringWork> written) {
    assertThat(
            getSerializer()
                .snapshotConfiguration()
                .resolveSchemaCompatibility(written)
                .isCompatibleAfterMigration())
        .isTrue();
  }
}
