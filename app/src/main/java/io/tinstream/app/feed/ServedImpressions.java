package io.tinstream.app.feed;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.ItemFields;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Plays the ad server for a share of the feed's impressions: before such an impression is shown,
 * the ads of its request are scored (a request with the impression's request id, user, time and
 * scenario, and as candidates the ads the request shows: {@link DemoFeed#candidatesOf}), once per
 * request however many of its ads are shown. The job then joins the score it served with the
 * impression's label, which gives the served AUC of each variant, the figure an ad platform
 * watches. Variants take the requests in turn, as in an A/B split.
 *
 * <p>Which impressions are chosen depends only on the request id, so a replay chooses the same.
 */
public final class ServedImpressions {

  private final double share;
  private final List<String> variants;
  private final Function<BehaviorEvent, List<ItemFields>> candidates;
  private long chosen;
  private String lastAsked;

  /**
   * @param share of the impressions asked for, in [0, 1]
   * @param variants that answer the requests in turn; empty: the job's default variant
   * @param candidates the ads the request of an impression shows (e.g. {@link
   *     DemoFeed#candidatesOf})
   */
  public ServedImpressions(
      double share, List<String> variants, Function<BehaviorEvent, List<ItemFields>> candidates) {
    if (!(share >= 0 && share <= 1)) {
      throw new IllegalArgumentException("share must be in [0, 1], got " + share);
    }
    this.share = share;
    this.variants = List.copyOf(variants);
    this.candidates = candidates;
  }

  /** The request the ad server sends before showing {@code event}, if it is one it asks about. */
  public Optional<AdRequest> requestBefore(BehaviorEvent event) {
    if (event.getActionType() != ActionType.IMPRESSION
        || event.getRequestId() == null
        || !isChosen(event.getRequestId().toString())
        || event.getRequestId().toString().equals(lastAsked)) {
      return Optional.empty();
    }
    // The impressions of one request come together in the feed: the last one asked is enough.
    lastAsked = event.getRequestId().toString();
    long n = chosen++;
    return Optional.of(
        AdRequest.newBuilder()
            .setRequestId(event.getRequestId())
            .setUserId(event.getUserId())
            .setRequestTime(event.getEventTime())
            .setScenario(event.getScenario())
            .setCandidates(candidates.apply(event))
            .setModelVariant(variants.isEmpty() ? null : variants.get((int) (n % variants.size())))
            .build());
  }

  private boolean isChosen(String requestId) {
    // A well-mixed hash of the id, compared with the share.
    long h = requestId.hashCode() * 0x9E3779B97F4A7C15L;
    h ^= h >>> 29;
    double u = (h >>> 11) * 0x1.0p-53;
    return u < share;
  }
}
