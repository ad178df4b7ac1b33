package io.tinstream.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.state.internal.BehaviorColumns;
import org.junit.jupiter.api.Test;

class TrajectoryCacheTest {

  @Test
  void evictsTheLeastRecentlyUsedUsersOnceOverItsRows() {
    TrajectoryCache cache = new TrajectoryCache(250);
    cache.put(1, trajectory(100));
    cache.put(2, trajectory(100));
    assertThat(cache.get(1)).isNotNull();

    cache.put(3, trajectory(100));

    assertThat(cache.rows()).isEqualTo(200);
    assertThat(cache.get(2)).as("least recently used").isNull();
    assertThat(cache.get(1)).isNotNull();
    assertThat(cache.get(3)).isNotNull();
    assertThat(cache.hits()).isEqualTo(3);
    assertThat(cache.misses()).isEqualTo(1);
  }

  @Test
  void chargesGrowthOfAnEntryAndKeepsTheCurrentOneEvenWhenItAloneIsTooLarge() {
    TrajectoryCache cache = new TrajectoryCache(150);
    cache.put(1, trajectory(100));
    cache.put(2, trajectory(40));
    CachedTrajectory big = trajectory(400);

    cache.put(2, big);

    assertThat(cache.get(2)).isSameAs(big);
    assertThat(cache.get(1)).isNull();
    assertThat(cache.rows()).isEqualTo(400);
    cache.remove(2);
    assertThat(cache.rows()).isZero();
  }

  @Test
  void aCacheOfZeroRowsKeepsNothing() {
    TrajectoryCache cache = new TrajectoryCache(0);
    cache.put(1, trajectory(10));
    assertThat(cache.get(1)).isNull();
    assertThat(cache.rows()).isZero();
  }

  private static CachedTrajectory trajectory(int capacity) {
    return new CachedTrajectory(TrajectoryIndex.EMPTY, new BehaviorColumns(capacity), 0);
  }
}
