package io.tinstream.streaming.served;

import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.schemas.TrainingExample;
import java.util.Objects;

/**
 * One of the three things the served-score join meets under a request id: the candidates of a
 * request (from the trajectory operator), the scores it was answered with (as the ad server read
 * them), or the label of one of its impressions (from the label join).
 *
 * <p>A plain POJO (public fields, no-arg constructor) so Flink serializes it without Kryo.
 */
public final class ServedEvent {

  public static final int CANDIDATES = 0;
  public static final int SCORES = 1;
  public static final int OUTCOME = 2;

  public int kind;
  public String requestId;

  /** {@link #CANDIDATES}: the candidates' item ids, in request order. */
  public long[] itemIds;

  /** {@link #SCORES}: one score per candidate, and who produced them. */
  public float[] scores;

  public String variant;
  public long version;

  /** {@link #OUTCOME}: the impressed item and its label. */
  public long itemId;

  public float label;

  public ServedEvent() {}

  public static ServedEvent candidates(AdRequest request) {
    ServedEvent e = new ServedEvent();
    e.kind = CANDIDATES;
    e.requestId = request.getRequestId();
    e.itemIds = request.getCandidates().stream().mapToLong(c -> c.getItemId()).toArray();
    return e;
  }

  public static ServedEvent scores(ScoreResponse response) {
    ServedEvent e = new ServedEvent();
    e.kind = SCORES;
    e.requestId = response.getRequestId();
    e.scores = new float[response.getScores().size()];
    for (int i = 0; i < e.scores.length; i++) {
      e.scores[i] = response.getScores().get(i);
    }
    e.variant = response.getModelVariant();
    e.version = response.getModelVersion();
    return e;
  }

  /** The label of an impression; only examples with a request id can be joined. */
  public static ServedEvent outcome(TrainingExample example) {
    ServedEvent e = new ServedEvent();
    e.kind = OUTCOME;
    e.requestId = Objects.requireNonNull(example.getRequestId(), "requestId");
    e.itemId = example.getTarget().getItemId();
    e.label = example.getLabel();
    return e;
  }
}
