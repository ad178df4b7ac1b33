package io.tinstream.streaming.scoring;

import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.ScoreResponse;
import java.util.List;

/**
 * Every {@link ScoreResponse} the job writes is made here, whichever operator answers (the
 * micro-batch scorer, the per-user serving of lrea and td-sasrec, the request validator), so an ad
 * server sees one shape: the request's id and time, the variant and model version, and either the
 * scores in candidate order or an error and no scores.
 */
public final class ScoreResponses {

  private ScoreResponses() {}

  /** The answer to {@code request}: scores in candidate order, or an error (then no scores). */
  public static ScoreResponse of(
      AdRequest request, String variant, long version, List<Float> scores, String error, long now) {
    return ScoreResponse.newBuilder()
        .setRequestId(request.getRequestId())
        .setUserId(request.getUserId())
        .setScores(scores)
        .setModelVariant(variant)
        .setModelVersion(version)
        .setError(error)
        .setRequestTime(request.getRequestTime().toEpochMilli())
        .setResponseTime(now)
        .build();
  }

  /** The answer to a request that failed validation: it may lack an id or a variant. */
  public static ScoreResponse invalidRequest(AdRequest request) {
    return ScoreResponse.newBuilder()
        .setRequestId(request.getRequestId() == null ? "" : request.getRequestId())
        .setUserId(request.getUserId())
        .setScores(List.of())
        .setModelVariant(request.getModelVariant() == null ? "" : request.getModelVariant())
        .setModelVersion(-1)
        .setError("invalid request")
        .setRequestTime(request.getRequestTime().toEpochMilli())
        .setResponseTime(System.currentTimeMillis())
        .build();
  }
}
