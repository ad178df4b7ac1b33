package io.tinstream.state;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.Domain;
import java.util.Random;

/**
 * Generated chunks shaped like a real user's week-to-months of behaviors: a Zipf-like preference
 * over a few hundred items, gaps of 30 s to 1 day (log-uniform), mostly impressions, some clicks,
 * plays with whole seconds, ratings, conversions with an order value.
 */
final class RealisticChunks {
  private static final long START = 1_700_000_000_000L;
  private static final long MIN_GAP_MS = 30_000;
  private static final long MAX_GAP_MS = 86_400_000;

  private RealisticChunks() {}

  /** Ids the size of a catalogue index (item ids below 10 million). */
  static TrajectoryChunk withCatalogueIds(int behaviors, int distinctItems, long seed) {
    return generate(behaviors, distinctItems, seed, false);
  }

  /** Every id a random 64-bit fingerprint: the worst case for the item dictionary. */
  static TrajectoryChunk withFingerprintIds(int behaviors, int distinctItems, long seed) {
    return generate(behaviors, distinctItems, seed, true);
  }

  private static TrajectoryChunk generate(
      int behaviors, int distinctItems, long seed, boolean fingerprints) {
    Random random = new Random(seed);
    long[][] items = new long[distinctItems][];
    for (int i = 0; i < distinctItems; i++) {
      items[i] = item(random, fingerprints);
    }
    double[] cumulative = zipfCumulative(distinctItems);
    Behavior[] all = new Behavior[behaviors];
    long time = START;
    for (int i = 0; i < behaviors; i++) {
      time += gap(random);
      long[] item = items[pick(cumulative, random.nextDouble())];
      boolean ad = item[10] == 1;
      ActionType action = action(random, ad);
      all[i] =
          new Behavior(
              random.nextInt(),
              time,
              (byte) (ad ? Domain.AD : Domain.CONTENT).ordinal(),
              (byte) action.ordinal(),
              random.nextInt(6),
              detail(random, action),
              item[0],
              item[1],
              item[2],
              item[3],
              (int) item[4],
              (int) item[5],
              (int) item[6],
              (int) item[7],
              item[8],
              (int) item[9]);
    }
    TrajectoryChunk chunk = TrajectoryChunk.EMPTY;
    for (Behavior b : all) {
      chunk = chunk.withInserted(b);
    }
    return chunk;
  }

  private static long[] item(Random random, boolean fingerprints) {
    boolean ad = random.nextInt(3) == 0;
    int l3 = random.nextInt(3000);
    return new long[] {
      fingerprints ? random.nextLong() : random.nextInt(10_000_000),
      fingerprints ? random.nextLong() : random.nextInt(40_000_000),
      fingerprints ? random.nextLong() : random.nextInt(1_000_000),
      fingerprints ? random.nextLong() : random.nextInt(500_000),
      l3 / 100,
      l3 / 10,
      l3,
      ad ? random.nextInt(8) : Behavior.UNKNOWN,
      ad ? (fingerprints ? random.nextLong() : random.nextInt(100_000)) : Behavior.UNKNOWN,
      ad ? random.nextInt(50) : Behavior.UNKNOWN,
      ad ? 1 : 0
    };
  }

  private static long gap(Random random) {
    double logMin = Math.log(MIN_GAP_MS);
    double logMax = Math.log(MAX_GAP_MS);
    return (long) Math.exp(logMin + random.nextDouble() * (logMax - logMin));
  }

  private static ActionType action(Random random, boolean ad) {
    double r = random.nextDouble();
    if (ad) {
      return r < 0.75 ? ActionType.IMPRESSION : r < 0.95 ? ActionType.CLICK : ActionType.CONVERSION;
    }
    return r < 0.5 ? ActionType.VIEW : r < 0.85 ? ActionType.PLAY : ActionType.RATE;
  }

  private static float detail(Random random, ActionType action) {
    return switch (action) {
      case PLAY -> 1 + random.nextInt(1800);
      case RATE -> 1 + random.nextInt(5);
      case CONVERSION -> Math.round(random.nextFloat() * 20000) / 100f;
      default -> 0f;
    };
  }

  private static double[] zipfCumulative(int n) {
    double[] cumulative = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += 1.0 / (i + 1);
      cumulative[i] = sum;
    }
    for (int i = 0; i < n; i++) {
      cumulative[i] /= sum;
    }
    return cumulative;
  }

  private static int pick(double[] cumulative, double u) {
    for (int i = 0; i < cumulative.length; i++) {
      if (u <= cumulative[i]) {
        return i;
      }
    }
    return cumulative.length - 1;
  }
}
