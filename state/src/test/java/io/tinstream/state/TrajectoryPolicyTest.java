package io.tinstream.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TrajectoryPolicyTest {

  @Test
  void defaultsToThreeYearsFiftyThousandBehaviorsAndWeeklyBuckets() {
    TrajectoryPolicy policy = TrajectoryPolicy.defaults();
    assertThat(policy.retentionMs()).isEqualTo(Duration.ofDays(3 * 365).toMillis());
    assertThat(policy.maxBehaviors()).isEqualTo(50_000);
    assertThat(policy.bucketWidthMs()).isEqualTo(Duration.ofDays(7).toMillis());
  }

  @Test
  void rejectsNonPositiveValuesNamingTheField() {
    assertThatThrownBy(() -> TrajectoryPolicy.builder().retentionMs(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retention");
    assertThatThrownBy(() -> TrajectoryPolicy.builder().maxBehaviors(-3).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cap");
    assertThatThrownBy(() -> TrajectoryPolicy.builder().bucketWidth(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bucket width");
  }

  @Test
  void bucketsAreTimeOrdered() {
    TrajectoryPolicy policy = TrajectoryPolicy.builder().bucketWidthMs(10).build();
    assertThat(policy.bucketOf(0)).isZero();
    assertThat(policy.bucketOf(9)).isZero();
    assertThat(policy.bucketOf(10)).isEqualTo(1);
    assertThat(policy.bucketStart(3)).isEqualTo(30);
  }
}
