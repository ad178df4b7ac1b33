package io.tinstream.models.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.FeatureEncoding;
import io.tinstream.models.embedding.Admission.Outcome;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdRowMappingTest {
  private static final int RESERVED = FeatureEncoding.RESERVED_ROW;

  @Test
  void moreDistinctIdsThanRowsNeverShareARow() {
    IdRowMapping m = IdRowMapping.create(IdRowMappingConfig.builder(101).build());
    Set<Integer> rows = new HashSet<>();
    int admitted = 0;
    for (int id = 0; id < 1000; id++) {
      Admission a = m.observe(id * 7919, 0);
      if (a.outcome() == Outcome.ADMITTED) {
        admitted++;
        assertThat(a.row()).isBetween(1, 100);
        assertThat(rows.add(a.row())).as("row %d handed out twice", a.row()).isTrue();
      } else {
        assertThat(a.outcome()).isEqualTo(Outcome.REFUSED_FULL);
        assertThat(a.row()).isEqualTo(RESERVED);
      }
    }
    assertThat(admitted).isEqualTo(100);
    Set<Integer> looked = new HashSet<>();
    int own = 0;
    for (int id = 0; id < 1000; id++) {
      int r = m.row(id * 7919);
      if (r != RESERVED) {
        own++;
        assertThat(looked.add(r)).as("ids share row %d", r).isTrue();
        assertThat(m.idAtRow(r)).isEqualTo(id * 7919);
      }
    }
    assertThat(own).isEqualTo(100);
    assertThat(m.counters()).isEqualTo(new MappingCounters(100, 900, 0, 100, 100));
  }

  @Test
  void unknownAndUnadmittedIdsGetTheReservedRow() {
    IdRowMapping m =
        IdRowMapping.create(IdRowMappingConfig.builder(16).minCount(3).sketch(1024, 4).build());
    assertThat(m.row(42)).as("never seen").isEqualTo(RESERVED);
    assertThat(m.observe(-5, 0)).isEqualTo(Admission.UNKNOWN_ID);
    assertThat(m.row(-5)).isEqualTo(RESERVED);
    // Lookups are read-only: they must not count towards admission.
    for (int i = 0; i < 10; i++) {
      assertThat(m.row(7)).isEqualTo(RESERVED);
    }
    assertThat(m.observe(7, 0).outcome()).isEqualTo(Outcome.PENDING);
    assertThat(m.observe(7, 1).outcome()).isEqualTo(Outcome.PENDING);
    assertThat(m.row(7)).as("seen twice, minCount 3").isEqualTo(RESERVED);
    Admission third = m.observe(7, 2);
    assertThat(third.outcome()).isEqualTo(Outcome.ADMITTED);
    assertThat(third.mustReset()).as("a never-used row").isFalse();
    assertThat(m.row(7)).isEqualTo(third.row()).isNotEqualTo(RESERVED);
    assertThat(m.observe(7, 3)).isEqualTo(new Admission(Outcome.KNOWN, third.row(), false));
    assertThat(m.counters().admissions()).isEqualTo(1);
  }

  @Test
  void expiredRowsAreReportedAndFlaggedForResetBeforeReuse() {
    IdRowMapping m = IdRowMapping.create(IdRowMappingConfig.builder(3).expiryMs(1000).build());
    int rowA = m.observe(10, 0).row();
    int rowB = m.observe(20, 0).row();
    m.observe(10, 900);
    assertThat(m.expire(999)).isEqualTo(ExpiredRows.NONE);
    ExpiredRows expired = m.expire(1000);
    assertThat(expired).isEqualTo(new ExpiredRows(new int[] {20}, new int[] {rowB}));
    assertThat(m.row(20)).as("expired id").isEqualTo(RESERVED);
    assertThat(m.row(10)).as("refreshed at 900").isEqualTo(rowA);
    Admission c = m.observe(30, 1001);
    assertThat(c.outcome()).isEqualTo(Outcome.ADMITTED);
    assertThat(c.row()).isEqualTo(rowB);
    assertThat(c.mustReset()).as("row %d held id 20 before", rowB).isTrue();
    assertThat(m.counters()).isEqualTo(new MappingCounters(3, 0, 1, 2, 2));
    // The flag is consumed by the admission that reported it: the row is now id 30's.
    assertThat(m.observe(30, 1002).mustReset()).isFalse();
    // An expired id coming back is a new admission, onto a flagged row.
    m.observe(10, 5000);
    m.expire(5000 + 1000);
    Admission again = m.observe(20, 7000);
    assertThat(again.outcome()).isEqualTo(Outcome.ADMITTED);
    assertThat(again.mustReset()).isTrue();
  }

  @Test
  void refusedAdmissionsAreCountedWhenFullAndAdmittedOnceARowFrees() {
    IdRowMapping m = IdRowMapping.create(IdRowMappingConfig.builder(3).expiryMs(100).build());
    m.observe(1, 0);
    m.observe(2, 50);
    assertThat(m.observe(3, 60)).isEqualTo(Admission.REFUSED_FULL);
    assertThat(m.observe(3, 61)).isEqualTo(Admission.REFUSED_FULL);
    assertThat(m.counters().refusedFull()).isEqualTo(2);
    assertThat(m.row(3)).isEqualTo(RESERVED);
    assertThat(m.expire(100).ids()).containsExactly(1);
    Admission a = m.observe(3, 101);
    assertThat(a.outcome()).isEqualTo(Outcome.ADMITTED);
    assertThat(a.mustReset()).isTrue();
    assertThat(m.counters()).isEqualTo(new MappingCounters(3, 2, 1, 2, 2));
  }

  @Test
  void sketchCountsFadeByHalving() {
    IdRowMapping m =
        IdRowMapping.create(
            IdRowMappingConfig.builder(8).minCount(4).sketch(256, 3).sketchHalvingMs(1000).build());
    m.observe(5, 0);
    m.observe(5, 1);
    m.observe(5, 2);
    // Count 3 halves to 1 at t=1000; the observation there makes 2, so two more are needed.
    assertThat(m.observe(5, 1000).outcome()).isEqualTo(Outcome.PENDING);
    assertThat(m.observe(5, 1001).outcome()).isEqualTo(Outcome.PENDING);
    assertThat(m.observe(5, 1002).outcome()).isEqualTo(Outcome.ADMITTED);
  }

  @Test
  void feedBuildingCollectsTheRowsToResetBeforeTheStep() {
    IdRowMapping m = IdRowMapping.create(IdRowMappingConfig.builder(4).expiryMs(10).build());
    RowsToReset resets = new RowsToReset();
    int[] first = {m.observe(1, 0, resets), m.observe(2, 0, resets), m.observe(3, 0, resets)};
    assertThat(first).containsExactly(1, 2, 3);
    assertThat(resets.isEmpty()).as("never-used rows").isTrue();
    m.observe(2, 5, resets);
    assertThat(m.expire(10).ids()).containsExactly(1, 3);
    int[] second = {m.observe(4, 11, resets), m.observe(5, 11, resets), m.observe(4, 12, resets)};
    assertThat(second).containsExactly(3, 1, 3);
    assertThat(resets.drain()).containsExactly(1, 3);
    assertThat(resets.isEmpty()).isTrue();
    assertThat(resets.drain()).isEmpty();
  }

  @Test
  void aLateEventDoesNotShortenAnIdsLife() {
    IdRowMapping m = IdRowMapping.create(IdRowMappingConfig.builder(4).expiryMs(1000).build());
    int row = m.observe(10, 900).row();
    m.observe(10, 100);
    assertThat(m.expire(1899)).isEqualTo(ExpiredRows.NONE);
    assertThat(m.row(10)).isEqualTo(row);
    assertThat(m.expire(1900).ids()).containsExactly(10);
  }
}
