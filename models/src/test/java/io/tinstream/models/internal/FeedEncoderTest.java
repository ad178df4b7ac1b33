package io.tinstream.models.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.Batch;
import io.tinstream.models.FieldRows;
import io.tinstream.models.ModelParams;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FeedEncoderTest {

  private static final int SIZE = 40;
  private static final int MAX_LEN = 64;

  /** A pure mapping that differs per field, so a row remembered for the wrong id shows. */
  private static int rowOf(ModelParams.Field f, int id) {
    return id < 0 ? 0 : 1 + Math.floorMod(id * 31 + f.ordinal() * 7, 997);
  }

  @Test
  void aReadOnlyMappingGivesEveryCellItsOwnRowWhileMostCellsAreAnsweredFromTheBatch() {
    Batch batch = batchOverFewIdsThatCollide();
    AtomicInteger asked = new AtomicInteger();
    FieldRows rows =
        (f, id) -> {
          asked.incrementAndGet();
          return rowOf(f, id);
        };

    FeedEncoder.Encoded enc = FeedEncoder.encode(params(), batch, rows);

    int cells = 0;
    for (ModelParams.Field f : ModelParams.Field.values()) {
      int[] raw = batch.hist(f);
      int[] got = enc.ints.get(FeedEncoder.hist(f));
      for (int r = 0; r < SIZE; r++) {
        for (int j = 0; j < batch.lengths[r]; j++) {
          int i = r * MAX_LEN + j;
          assertThat(got[i]).as("%s cell %d (id %d)", f, i, raw[i]).isEqualTo(rowOf(f, raw[i]));
          cells++;
        }
      }
    }
    assertThat(asked.get())
        .as("a batch repeating ids asks the mapping far fewer times than it has cells")
        .isLessThan(cells / 4);
  }

  @Test
  void aMappingThatObservesIdsIsAskedOncePerCell() {
    Batch batch = batchOverFewIdsThatCollide();
    AtomicInteger asked = new AtomicInteger();
    FieldRows observing =
        new FieldRows() {
          @Override
          public int row(ModelParams.Field f, int id) {
            asked.incrementAndGet();
            return rowOf(f, id);
          }

          @Override
          public boolean observes() {
            return true;
          }
        };

    FeedEncoder.encode(params(), batch, observing);

    int filled = 0;
    for (int r = 0; r < SIZE; r++) {
      filled += batch.lengths[r];
    }
    int expected =
        filled * ModelParams.Field.values().length + SIZE * ModelParams.Field.targetFields().size();
    assertThat(asked.get()).as("admission counts see every occurrence").isEqualTo(expected);
  }

  private static ModelParams params() {
    return ModelParams.builder().variant("tin").dim(4).mlpLayers(4).seed(1).build();
  }

  /** Ids from a small set that includes pairs hashing to the same memo slot. */
  private static Batch batchOverFewIdsThatCollide() {
    int[] ids = new int[40];
    int n = 0;
    int slotOfFirst = (5 * 0x9E3779B9) >>> 21;
    for (int id = 5; n < 4; id++) {
      if (((id * 0x9E3779B9) >>> 21) == slotOfFirst) {
        ids[n++] = id;
      }
    }
    for (int k = 0; n < ids.length; k++) {
      ids[n++] = 10_000 + k;
    }
    Random rnd = new Random(3);
    Batch b = Batch.allocate(SIZE, MAX_LEN, false);
    for (int r = 0; r < SIZE; r++) {
      b.lengths[r] = 1 + rnd.nextInt(MAX_LEN);
      for (ModelParams.Field f : ModelParams.Field.values()) {
        int[] column = b.hist(f);
        for (int j = 0; j < b.lengths[r]; j++) {
          column[r * MAX_LEN + j] = rnd.nextInt(10) == 0 ? -1 : ids[rnd.nextInt(ids.length)];
        }
      }
      for (ModelParams.Field f : ModelParams.Field.targetFields()) {
        b.target(f)[r] = ids[rnd.nextInt(ids.length)];
      }
      for (int j = 0; j < b.lengths[r]; j++) {
        b.histPosition[r * MAX_LEN + j] = b.lengths[r] - j;
      }
    }
    return b;
  }
}
