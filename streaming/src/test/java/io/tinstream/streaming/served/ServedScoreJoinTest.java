package io.tinstream.streaming.served;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.schemas.TrainingExample;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ServedScoreJoinTest {
  private static final long RETAIN_MS = 60_000;

  private KeyedOneInputStreamOperatorTestHarness<String, ServedEvent, ServedOutcome> harness;

  @BeforeEach
  void open() throws Exception {
    KeySelector<ServedEvent, String> byRequest = e -> e.requestId;
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new ServedScoreJoin(RETAIN_MS)), byRequest, Types.STRING);
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  @Test
  void eachImpressionGetsTheScoreOfItsOwnCandidate() throws Exception {
    send(ServedEvent.candidates(request("r1", 10, 20, 30)));
    send(ServedEvent.scores(response("r1", "tin", 7, 0.1f, 0.2f, 0.3f)));
    send(ServedEvent.outcome(example("r1", 20, 1f)));
    send(ServedEvent.outcome(example("r1", 30, 0f)));

    List<ServedOutcome> out = harness.extractOutputValues();
    assertThat(out).extracting(o -> o.score).containsExactly(0.2f, 0.3f);
    assertThat(out).extracting(o -> o.label).containsExactly(1f, 0f);
    assertThat(out).extracting(o -> o.variant + "@" + o.version).containsOnly("tin@7");
  }

  @Test
  void aLabelBeforeItsScoresWaitsForThem() throws Exception {
    send(ServedEvent.candidates(request("r2", 5)));
    send(ServedEvent.outcome(example("r2", 5, 1f)));
    assertThat(harness.extractOutputValues()).isEmpty();

    send(ServedEvent.scores(response("r2", "pool", 3, 0.9f)));
    assertThat(harness.extractOutputValues())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.score).isEqualTo(0.9f);
              assertThat(o.variant).isEqualTo("pool");
            });
  }

  @Test
  void labelsOfRequestsNotKeptAreNotKept() throws Exception {
    // No candidates were kept for these (a large request, or one the job never saw): their labels
    // pass without being stored, so nothing is emitted even when the rest arrives later.
    send(ServedEvent.scores(response("large", "tin", 1, 0.5f)));
    send(ServedEvent.outcome(example("large", 5, 1f)));
    send(ServedEvent.outcome(example("unknown", 5, 1f)));
    send(ServedEvent.candidates(request("unknown", 5)));
    send(ServedEvent.scores(response("unknown", "tin", 1, 0.5f)));
    assertThat(harness.extractOutputValues()).isEmpty();
  }

  @Test
  void aRequestsStateExpiresAfterTheRetention() throws Exception {
    harness.setProcessingTime(1_000);
    send(ServedEvent.candidates(request("r3", 5)));
    send(ServedEvent.outcome(example("r3", 5, 1f)));
    harness.setProcessingTime(1_000 + RETAIN_MS - 1);
    send(ServedEvent.outcome(example("r3", 6, 0f)));
    harness.setProcessingTime(1_000 + RETAIN_MS);
    // A very late answer finds neither the candidates nor the waiting labels.
    send(ServedEvent.scores(response("r3", "tin", 1, 0.5f)));
    send(ServedEvent.outcome(example("r3", 5, 1f)));
    assertThat(harness.extractOutputValues()).isEmpty();
  }

  private void send(ServedEvent event) throws Exception {
    harness.processElement(event, 0);
  }

  private static AdRequest request(String id, long... items) {
    return AdRequest.newBuilder()
        .setRequestId(id)
        .setUserId(1)
        .setRequestTime(Instant.ofEpochMilli(0))
        .setCandidates(java.util.Arrays.stream(items).mapToObj(ServedScoreJoinTest::item).toList())
        .build();
  }

  private static ScoreResponse response(String id, String variant, long version, float... scores) {
    List<Float> s = new java.util.ArrayList<>();
    for (float f : scores) {
      s.add(f);
    }
    return ScoreResponse.newBuilder()
        .setRequestId(id)
        .setUserId(1)
        .setScores(s)
        .setModelVariant(variant)
        .setModelVersion(version)
        .build();
  }

  private static TrainingExample example(String request, long item, float label) {
    return TrainingExample.newBuilder()
        .setExampleId(request + "-" + item)
        .setUserId(1)
        .setRequestId(request)
        .setImpressionTime(0)
        .setTarget(item(item))
        .setHistory(emptyHistory())
        .setLabel(label)
        .build();
  }

  private static ItemFields item(long id) {
    return ItemFields.newBuilder().setItemId(id).build();
  }

  private static BehaviorSequence emptyHistory() {
    return BehaviorSequence.newBuilder()
        .setEventTimes(List.of())
        .setItemIds(List.of())
        .setCategoryL1(List.of())
        .setCategoryL2(List.of())
        .setCategoryL3(List.of())
        .setActionTypes(List.of())
        .setScenarios(List.of())
        .build();
  }
}
