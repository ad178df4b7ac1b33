package io.tinstream.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.state.internal.BehaviorColumns;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Hard search through a cached trajectory's category index picks exactly what a scan of the same
 * behaviors picks, while the trajectory grows, takes out-of-order inserts and drops chunks.
 */
class CategoryIndexSearchTest {
  private static final TrajectoryPolicy POLICY =
      TrajectoryPolicy.builder().maxBehaviors(700).chunkSize(64).build();

  @Test
  void indexedSearchEqualsAScanOfTheSameBehaviors() {
    SplittableRandom random = new SplittableRandom(3);
    CachedTrajectory t = new CachedTrajectory(TrajectoryIndex.EMPTY, new BehaviorColumns(16), 0);
    long time = 1_000_000L;
    for (int n = 0; n < 1_500; n++) {
      time += 1 + random.nextInt(1_000);
      boolean late = random.nextInt(20) == 0 && n > 10;
      Behavior b = behavior(random, late ? time - 50_000 - random.nextInt(100_000) : time, n);
      if (t.belongsToOpenSegment(b.eventTime())) {
        t.insertOpen(b);
        if (t.openCount() >= POLICY.chunkSize()) {
          t.sealOpenSegment();
        }
      } else {
        t.insertIntoChunk(t.index().chunkFor(b.eventTime()), b);
      }
      while (!t.index().isEmpty() && t.index().count(0) <= t.visibleFrom(POLICY)) {
        t.dropOldestChunk();
      }
      if (n % 50 == 0) {
        assertSameSearches(t.view(POLICY), random);
      }
    }
  }

  private static void assertSameSearches(TrajectoryView cached, SplittableRandom random) {
    assertThat(cached.categoryIndex()).isNotNull();
    List<Behavior> behaviors = new ArrayList<>();
    for (int i = 0; i < cached.size(); i++) {
      behaviors.add(cached.behavior(i));
    }
    TrajectoryView scanned = TrajectoryView.of(behaviors);
    for (int q = 0; q < 20; q++) {
      SearchTarget target = target(random);
      int k = 1 + random.nextInt(80);
      TrajectoryView past = cached.prefixBefore(cached.eventTime(cached.size() / 2) + 1);
      TrajectoryView pastScanned = scanned.prefixBefore(cached.eventTime(cached.size() / 2) + 1);
      assertThat(SearchStage.hierarchicalHardSearch(cached, target, k))
          .isEqualTo(SearchStage.hierarchicalHardSearch(scanned, target, k));
      assertThat(SearchStage.hierarchicalHardSearch(past, target, k))
          .isEqualTo(SearchStage.hierarchicalHardSearch(pastScanned, target, k));
      assertThat(SearchStage.simHardSearch(cached, target, k))
          .isEqualTo(SearchStage.simHardSearch(scanned, target, k));
    }
  }

  private static SearchTarget target(SplittableRandom random) {
    int l1 = random.nextInt(4);
    int l2 = l1 * 10 + random.nextInt(5);
    int l3 = l2 * 10 + random.nextInt(5);
    return new SearchTarget(l1, l2, l3, random.nextInt(3), Long.MAX_VALUE);
  }

  private static Behavior behavior(SplittableRandom random, long time, int n) {
    int l1 = random.nextInt(4);
    int l2 = l1 * 10 + random.nextInt(5);
    int l3 = random.nextInt(10) == 0 ? Behavior.UNKNOWN : l2 * 10 + random.nextInt(5);
    return TestBehaviors.at(time)
        .id("e" + n)
        .categories(l1, l2, l3)
        .scenario(random.nextInt(3))
        .build();
  }
}
