package io.tinstream.streaming.trajectory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.ProbeResponse;
import io.tinstream.streaming.JobSettings;
import io.tinstream.streaming.TinstreamOptions;
import io.tinstream.streaming.kafka.KafkaEndpoints;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** No request may ask for an answer larger than one Kafka record. */
class CandidateCapTest {

  private static final long NOW = 1_700_000_000_000L;
  private static final FutureSkew SKEW = FutureSkew.of(Duration.ofMinutes(10));

  @Test
  void aRequestOverTheConfiguredCapIsRejectedWithTheCapNamed() {
    CandidateCap cap = JobSettings.from(Map.of()).candidateCap();
    assertThat(cap.requests()).isEqualTo(1_000);

    assertThat(AdRequestValidator.check(request(1_000, null), SKEW, NOW, cap)).isEmpty();
    assertThat(AdRequestValidator.check(request(1_001, null), SKEW, NOW, cap))
        .hasValueSatisfying(
            r ->
                assertThat(r)
                    .isEqualTo(
                        "too many candidates: 1001 > tinstream.requests.max-candidates = 1000"));
  }

  @Test
  void theCapIsASetting() {
    CandidateCap cap =
        JobSettings.from(Map.of(TinstreamOptions.MAX_CANDIDATES.key(), "5")).candidateCap();
    assertThat(AdRequestValidator.check(request(6, null), SKEW, NOW, cap))
        .hasValueSatisfying(r -> assertThat(r).contains("6 > tinstream.requests.max-candidates"));
    assertThatThrownBy(() -> JobSettings.from(Map.of(TinstreamOptions.MAX_CANDIDATES.key(), "0")))
        .hasMessageContaining("tinstream.requests.max-candidates: must be in [1, 100000]");
  }

  @Test
  void probesAreCappedTheSameAtTheDefaultSearch() {
    CandidateCap cap = JobSettings.from(Map.of()).candidateCap();
    assertThat(cap.probes()).isEqualTo(cap.requests());
    assertThat(
            AdRequestValidator.check(
                request(1_001, TrajectoryFunction.PROBE_VARIANT), SKEW, NOW, cap))
        .isPresent();
  }

  @Test
  void probesAreCappedLowerWhereTheirBehaviorsWouldNotFitOneRecord() {
    CandidateCap cap =
        JobSettings.from(
                Map.of(
                    TinstreamOptions.SEARCH_K.key(),
                    "20000",
                    TinstreamOptions.MAX_CANDIDATES.key(),
                    "1000"))
            .candidateCap();
    assertThat(cap.probes()).isLessThan(1_000).isPositive();
    assertThat(
            AdRequestValidator.check(
                request(cap.probes() + 1, TrajectoryFunction.PROBE_VARIANT), SKEW, NOW, cap))
        .hasValueSatisfying(
            r ->
                assertThat(r)
                    .startsWith("too many candidates for a probe")
                    .contains(CandidateCap.KEY));
    // The same count is fine for scoring: a score is 4 bytes.
    assertThat(AdRequestValidator.check(request(cap.probes() + 1, null), SKEW, NOW, cap)).isEmpty();
  }

  @Test
  void aProbeResponseAtTheProbeCapFitsOneRecordEvenWithTheWidestValues() {
    int maxRecordBytes = 2 << 20;
    int behaviors = 1_000;
    CandidateCap cap = CandidateCap.of(1_000, behaviors, maxRecordBytes);
    BehaviorSequence widest = widest(behaviors);
    ProbeResponse response =
        ProbeResponse.newBuilder()
            .setRequestId("probe-1")
            .setUserId(Long.MAX_VALUE)
            .setTrajectoryLength(Integer.MAX_VALUE)
            .setSearchMode("hierarchical")
            .setPerCandidate(Collections.nCopies(cap.probes(), widest))
            .build();

    assertThat(AvroCodec.probeResponses().encode(response).length)
        .isLessThanOrEqualTo(maxRecordBytes);
    assertThat(CandidateCap.of(1_000, 64, KafkaEndpoints.MAX_RECORD_BYTES).probes())
        .isEqualTo(1_000);
  }

  /** Every column at its longest varint. */
  private static BehaviorSequence widest(int n) {
    return BehaviorSequence.newBuilder()
        .setEventTimes(Collections.nCopies(n, Long.MIN_VALUE))
        .setItemIds(Collections.nCopies(n, Long.MIN_VALUE))
        .setCategoryL1(Collections.nCopies(n, Integer.MIN_VALUE))
        .setCategoryL2(Collections.nCopies(n, Integer.MIN_VALUE))
        .setCategoryL3(Collections.nCopies(n, Integer.MIN_VALUE))
        .setActionTypes(Collections.nCopies(n, Integer.MIN_VALUE))
        .setScenarios(Collections.nCopies(n, Integer.MIN_VALUE))
        .setDomains(Collections.nCopies(n, Integer.MIN_VALUE))
        .setActionDetails(Collections.nCopies(n, Float.MAX_VALUE))
        .setPositions(Collections.nCopies(n, Integer.MIN_VALUE))
        .build();
  }

  static AdRequest request(int candidates, String variant) {
    List<ItemFields> items = new ArrayList<>();
    for (int i = 0; i < candidates; i++) {
      items.add(ItemFields.newBuilder().setItemId(i).setCategoryL3(3).build());
    }
    return AdRequest.newBuilder()
        .setRequestId("r-" + candidates)
        .setUserId(1)
        .setRequestTime(Instant.ofEpochMilli(NOW))
        .setModelVariant(variant)
        .setCandidates(items)
        .build();
  }
}
