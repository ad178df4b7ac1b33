package io.tinstream.streaming.trajectory;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.schemas.Domain;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.ProbeResponse;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.schemas.TaxonomyKind;
import io.tinstream.state.TrajectoryPolicy;
import io.tinstream.streaming.scoring.ScoringWork;
import io.tinstream.training.features.HistorySelector;
import io.tinstream.training.features.VariantHistories;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The trajectory operator on RocksDB keyed state: taxonomy fill, the startup wait, probes. */
class TrajectoryFunctionTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final long WAIT_MS = 5_000;

  private KeyedBroadcastOperatorTestHarness<
          Long, BehaviorOrRequest, TaxonomyOrModelSnapshot, ScoringWork>
      harness;

  @BeforeEach
  void open() throws Exception {
    TrajectoryFunction function =
        new TrajectoryFunction(
            new TrajectoryConfig(
                TrajectoryPolicy.builder().retention(Duration.ofDays(30)).build(),
                WAIT_MS,
                Duration.ofMinutes(30).toMillis(),
                100),
            VariantHistories.probesOnly(
                new HistorySelector(HistorySelector.Kind.HIERARCHICAL_SEARCH, 4)),
            java.util.Map.of(),
            null,
            null);
    harness = TrajectoryHarness.open(function, null);
    harness.setProcessingTime(0);
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  @Test
  void behaviorsBeforeTheTaxonomyWaitThenGetFilled() throws Exception {
    harness.processElement(new StreamRecord<>(BehaviorOrRequest.of(sparse("a", 1, T0, 10, 30))));
    harness.processElement(
        new StreamRecord<>(BehaviorOrRequest.of(sparse("b", 1, T0 + 1, 11, 30))));

    assertThat(probe(1, T0 + 10).getTrajectoryLength()).as("parked, not stored").isZero();
    assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

    harness.processBroadcastElement(
        new StreamRecord<>(
            TaxonomyOrModelSnapshot.of(new TaxonomyEntry(TaxonomyKind.L3_PARENT, 30L, 3L))));
    harness.processBroadcastElement(
        new StreamRecord<>(
            TaxonomyOrModelSnapshot.of(new TaxonomyEntry(TaxonomyKind.L2_PARENT, 3L, 1L))));
    harness.setProcessingTime(200);

    ProbeResponse probe = probe(1, T0 + 10);
    assertThat(probe.getTrajectoryLength()).isEqualTo(2);
    BehaviorSequence searched = probe.getPerCandidate().get(0);
    assertThat(searched.getItemIds()).containsExactly(10L, 11L);
    assertThat(searched.getCategoryL2()).containsExactly(3, 3);
    assertThat(searched.getCategoryL1()).containsExactly(1, 1);
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  @Test
  void withoutTaxonomyBehaviorsAreStoredAsTheyAreAfterTheWait() throws Exception {
    harness.processElement(new StreamRecord<>(BehaviorOrRequest.of(sparse("a", 1, T0, 10, 30))));
    harness.setProcessingTime(WAIT_MS / 2);
    assertThat(probe(1, T0 + 10).getTrajectoryLength()).isZero();
    assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

    harness.setProcessingTime(WAIT_MS + 200);
    ProbeResponse probe = probe(1, T0 + 10);
    assertThat(probe.getTrajectoryLength()).isEqualTo(1);
    assertThat(probe.getPerCandidate().get(0).getCategoryL1()).containsExactly(-1);
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  @Test
  void probesSeeOnlyTheirUsersPastAndDuplicatesAreDropped() throws Exception {
    harness.processBroadcastElement(
        new StreamRecord<>(
            TaxonomyOrModelSnapshot.of(new TaxonomyEntry(TaxonomyKind.L3_PARENT, 30L, 3L))));
    harness.processElement(new StreamRecord<>(BehaviorOrRequest.of(sparse("a", 1, T0, 10, 30))));
    harness.processElement(new StreamRecord<>(BehaviorOrRequest.of(sparse("a", 1, T0, 10, 30))));
    harness.processElement(
        new StreamRecord<>(BehaviorOrRequest.of(sparse("c", 1, T0 + 50, 12, 30))));
    harness.processElement(
        new StreamRecord<>(BehaviorOrRequest.of(sparse("b", 1, T0 + 5, 11, 30))));
    harness.processElement(new StreamRecord<>(BehaviorOrRequest.of(sparse("x", 2, T0, 99, 30))));

    ProbeResponse probe = probe(1, T0 + 10);
    assertThat(probe.getTrajectoryLength()).isEqualTo(3);
    // Strictly before the request time, chronological, other users invisible.
    assertThat(probe.getPerCandidate().get(0).getItemIds()).containsExactly(10L, 11L);
    assertThat(probe.getPerCandidate().get(0).getEventTimes()).containsExactly(T0, T0 + 5);
  }

  private ProbeResponse probe(long user, long time) throws Exception {
    int before = probes().size();
    AdRequest request =
        AdRequest.newBuilder()
            .setRequestId("p" + before)
            .setModelVariant(TrajectoryFunction.PROBE_VARIANT)
            .setUserId(user)
            .setRequestTime(Instant.ofEpochMilli(time))
            .setCandidates(List.of(ItemFields.newBuilder().setItemId(10).setCategoryL3(30).build()))
            .build();
    harness.processElement(new StreamRecord<>(BehaviorOrRequest.of(request)));
    List<ProbeResponse> out = probes();
    assertThat(out).hasSize(before + 1);
    return out.get(out.size() - 1);
  }

  private List<ProbeResponse> probes() {
    var records = harness.getSideOutput(TrajectoryFunction.PROBES);
    return records == null ? List.of() : records.stream().map(r -> r.getValue()).toList();
  }

  private static BehaviorEvent sparse(String id, long user, long time, long item, int l3) {
    return BehaviorEvent.newBuilder()
        .setEventId(id)
        .setUserId(user)
        .setEventTime(Instant.ofEpochMilli(time))
        .setDomain(Domain.CONTENT)
        .setActionType(ActionType.PLAY)
        .setItem(ItemFields.newBuilder().setItemId(item).setCategoryL3(l3).build())
        .build();
  }
}
