package io.tinstream.models.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.FeatureEncoding;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Fixed-seed random walk of observations and expiry sweeps against a plain-map reference: admitted
 * ids never share a row, a reused row always comes with mustReset, expiry frees exactly the idle
 * ids, and a replica fed deltas (with gaps, repeats and snapshot reloads) maps every id the same.
 */
class IdRowMappingRandomizedTest {
  private static final String FIELD = "item";

  @Test
  void smallTableHighChurn() {
    run(new Random(20261202L), 64, 400, 2, 500, 60_000);
  }

  @Test
  void largerTableManyCollidingProbes() {
    run(new Random(7L), 1000, 6000, 3, 20_000, 80_000);
  }

  private static void run(Random rnd, int rows, int pool, int minCount, long expiry, int steps) {
    IdRowMappings trainer =
        IdRowMappings.builder()
            .field(
                FIELD,
                IdRowMappingConfig.builder(rows)
                    .minCount(minCount)
                    .expiryMs(expiry)
                    .sketch(Math.max(16, pool / 4), 3)
                    .build())
            .build();
    IdRowMapping m = trainer.field(FIELD);
    IdRowMappings replica =
        IdRowMappingsFormat.readSnapshot(IdRowMappingsFormat.snapshot(trainer, false));
    int[] ids = new int[pool];
    for (int i = 0; i < pool; i++) {
      // Spread over the int range, so the index sees arbitrary hashes, not 0..pool.
      ids[i] = (int) ((i * 2654435761L) & 0x7fffffffL);
    }
    Map<Integer, Integer> ref = new HashMap<>();
    Map<Integer, Long> lastSeen = new HashMap<>();
    Set<Integer> owned = new HashSet<>();
    Set<Integer> everUsed = new HashSet<>();
    Set<Integer> freedNotReused = new HashSet<>();
    long now = 0;
    long lastShipped = replica.version();
    int reusedRows = 0;
    int refused = 0;
    for (int step = 0; step < steps; step++) {
      now += rnd.nextInt(6);
      double u = rnd.nextDouble();
      int id = ids[(int) (pool * u * u)];
      Admission a = m.observe(id, now);
      switch (a.outcome()) {
        case ADMITTED -> {
          assertThat(ref).doesNotContainKey(id);
          assertThat(owned.add(a.row())).as("row %d given to two ids", a.row()).isTrue();
          if (everUsed.contains(a.row())) {
            assertThat(a.mustReset()).as("reused row %d without reset", a.row()).isTrue();
            assertThat(freedNotReused.remove(a.row())).isTrue();
            reusedRows++;
          } else {
            assertThat(a.mustReset()).isFalse();
          }
          everUsed.add(a.row());
          ref.put(id, a.row());
          lastSeen.put(id, now);
        }
        case KNOWN -> {
          assertThat(a.row()).isEqualTo(ref.get(id));
          lastSeen.put(id, now);
        }
        case PENDING -> assertThat(ref).doesNotContainKey(id);
        case REFUSED_FULL -> {
          assertThat(ref).doesNotContainKey(id).hasSize(rows - 1);
          refused++;
        }
        case UNKNOWN_ID -> throw new AssertionError("ids are non-negative");
      }
      assertThat(m.liveRows()).isEqualTo(ref.size());
      if (step % 150 == 0) {
        ExpiredRows x = m.expire(now);
        for (int i = 0; i < x.size(); i++) {
          int eid = x.ids()[i];
          assertThat(now - lastSeen.get(eid)).isGreaterThanOrEqualTo(expiry);
          assertThat(ref.remove(eid)).isEqualTo(x.rows()[i]);
          owned.remove(x.rows()[i]);
          freedNotReused.add(x.rows()[i]);
        }
        long sweep = now;
        assertThat(ref.keySet())
            .as("ids idle for the expiry but kept")
            .noneMatch(k -> sweep - lastSeen.get(k) >= expiry);
      }
      if (step % 1000 == 999) {
        for (int pid : ids) {
          if (m.row(pid) != ref.getOrDefault(pid, FeatureEncoding.RESERVED_ROW)) {
            throw new AssertionError(
                "id " + pid + " has row " + m.row(pid) + ", expected " + ref.get(pid));
          }
        }
        // Ship to the replica: mostly a delta since the last shipped version, sometimes from
        // older (a resent update), sometimes a full snapshot.
        int kind = rnd.nextInt(10);
        if (kind == 0) {
          replica = IdRowMappingsFormat.readSnapshot(IdRowMappingsFormat.snapshot(trainer, false));
        } else {
          long since = kind == 1 ? rnd.nextLong(lastShipped + 1) : lastShipped;
          byte[] delta = IdRowMappingsFormat.delta(trainer, since);
          boolean behind = replica.version() < trainer.version();
          assertThat(IdRowMappingsFormat.applyDelta(replica, delta)).isEqualTo(behind);
          assertThat(IdRowMappingsFormat.applyDelta(replica, delta)).as("stale").isFalse();
        }
        lastShipped = trainer.version();
        assertThat(replica.version()).isEqualTo(trainer.version());
        assertThat(replica.sameRowsAs(trainer)).isTrue();
        for (int pid : ids) {
          if (replica.field(FIELD).row(pid) != m.row(pid)) {
            throw new AssertionError("replica maps id " + pid + " elsewhere");
          }
        }
      }
    }
    System.out.printf(
        "rows %d: %s, %d rows reused, replica at version %d%n",
        rows, m.counters(), reusedRows, replica.version());
    // The walk must have exercised what it checks.
    assertThat(reusedRows).isGreaterThan(rows);
    assertThat(refused).isPositive();
    assertThat(m.counters().evictions()).isGreaterThan(rows);
  }
}
