package io.tinstream.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TrajectoryPolicyTest {

  @Test
  void defaultsToThreeYearsFiftyThousandBehaviorsAndChunksOf256() {
    TrajectoryPolicy policy = TrajectoryPolicy.defaults();
    assertThat(policy.retentionMs()).isEqualTo(Duration.ofDays(3 * 365).toMillis());
    assertThat(policy.maxBehaviors()).isEqualTo(50_000);
    assertThat(policy.chunkSize()).isEqualTo(256);
  }

  @Test
  void rejectsNonPositiveValuesNamingTheField() {
    assertThatThrownBy(() -> TrajectoryPolicy.builder().retentionMs(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retention");
    assertThatThrownBy(() -> TrajectoryPolicy.builder().maxBehaviors(-3).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cap");
    assertThatThrownBy(() -> TrajectoryPolicy.builder().chunkSize(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("chunk size");
  }
}
