package io.tinstream.app.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * A job's progress as (time, events processed) samples, and the rates read from it: overall, and
 * over the first and last fraction of the events. With a trajectory that grows during the run, the
 * first 10% of the events land on short trajectories and the last 10% on long ones, so a start rate
 * well above the end rate means an append costs more as the trajectory grows.
 */
public final class RateTimeline {

  /** One sample: {@code seconds} since the timeline's origin, cumulative {@code events}. */
  public record Sample(double seconds, long events) {}

  private final List<Sample> samples = new ArrayList<>();

  /** Adds a sample; samples come in time order and counts never go down. */
  public synchronized void add(double seconds, long events) {
    if (!samples.isEmpty()) {
      Sample last = samples.get(samples.size() - 1);
      if (seconds < last.seconds() || events < last.events()) {
        throw new IllegalArgumentException(
            "samples must not go back: " + last + " then (" + seconds + ", " + events + ")");
      }
    }
    samples.add(new Sample(seconds, events));
  }

  public synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** The last count seen. */
  public synchronized long events() {
    return samples.isEmpty() ? 0 : samples.get(samples.size() - 1).events();
  }

  /**
   * Events per second between the moments the count reached {@code from} and {@code to} (linear
   * between samples); NaN when the timeline never got there. {@code from = 0} means the last sample
   * before the first record, so start-up before the first record is not counted.
   */
  public synchronized double rateBetween(long from, long to) {
    if (to <= from) {
      throw new IllegalArgumentException("to must be > from");
    }
    double t0;
    long e0;
    if (from <= 0) {
      // From the last sample before the first record: start-up before it is not slowness, and
      // the error is at most one sampling period.
      Sample origin = null;
      for (Sample s : samples) {
        if (s.events() > 0) {
          if (origin == null) {
            origin = s;
          }
          break;
        }
        origin = s;
      }
      if (origin == null || origin.events() >= to) {
        return Double.NaN;
      }
      t0 = origin.seconds();
      e0 = origin.events();
    } else {
      t0 = timeAt(from);
      e0 = from;
    }
    double t1 = timeAt(to);
    if (Double.isNaN(t0) || Double.isNaN(t1) || t1 <= t0) {
      return Double.NaN;
    }
    return (to - e0) / (t1 - t0);
  }

  /** Rate over the first {@code fraction} of {@code total} events. */
  public double startRate(long total, double fraction) {
    return rateBetween(0, Math.round(total * fraction));
  }

  /**
   * Rate over the last {@code fraction} of the events: from the moment {@code (1 - fraction)} of
   * {@code total} were in to the last sample (which may be a little short of {@code total} when the
   * job finished between two samples).
   */
  public synchronized double endRate(long total, double fraction) {
    long last = events();
    long from = Math.round(total * (1 - fraction));
    if (last <= from) {
      return Double.NaN;
    }
    return rateBetween(from, last);
  }

  /** When the count reached {@code events}, interpolated between samples; NaN if never. */
  private double timeAt(long events) {
    Sample before = null;
    for (Sample s : samples) {
      if (s.events() >= events) {
        if (before == null || s.events() == before.events()) {
          return s.seconds();
        }
        double f = (double) (events - before.events()) / (s.events() - before.events());
        return before.seconds() + f * (s.seconds() - before.seconds());
      }
      before = s;
    }
    return Double.NaN;
  }
}
