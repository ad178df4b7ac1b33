package io.tinstream.app.feed;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.Domain;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.schemas.TaxonomyKind;
import io.tinstream.training.data.MovieLensDataset;
import io.tinstream.training.data.PastPopularitySampler;
import io.tinstream.training.data.SyntheticFeed;
import io.tinstream.training.data.SyntheticTaxonomy;
import io.tinstream.training.online.ScoreWindow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/** What the demo and the benchmarks replay: events, the taxonomy they need, and probe items. */
public final class DemoFeed {

  private final String description;
  private final Iterator<BehaviorEvent> events;
  private final long size;
  private final List<TaxonomyEntry> taxonomy;
  private final List<ItemFields> probeItems;
  private final int users;
  private final java.util.function.UnaryOperator<ItemFields> complete;
  private final SyntheticFeed synthetic;
  private final Map<String, List<ItemFields>> candidatesByRequest;
  private ScoreWindow ceiling;

  private DemoFeed(
      String description,
      Iterator<BehaviorEvent> events,
      long size,
      List<TaxonomyEntry> taxonomy,
      List<ItemFields> probeItems,
      int users,
      java.util.function.UnaryOperator<ItemFields> complete,
      SyntheticFeed synthetic,
      Map<String, List<ItemFields>> candidatesByRequest) {
    this.description = description;
    this.synthetic = synthetic;
    this.candidatesByRequest = candidatesByRequest;
    this.events = events;
    this.size = size;
    this.taxonomy = taxonomy;
    this.probeItems = probeItems;
    this.users = users;
    this.complete = complete;
  }

  /** The built-in synthetic feed; {@code events} = {@link Long#MAX_VALUE} for one without end. */
  public static DemoFeed synthetic(int users, long events, long seed) {
    SyntheticTaxonomy taxonomy = SyntheticFeed.defaultTaxonomy();
    SyntheticFeed feed =
        new SyntheticFeed(SyntheticFeed.Config.defaults(users, events, seed), taxonomy);
    List<ItemFields> probeItems = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < 100; i++) {
      probeItems.add(taxonomy.fullItem(random.nextInt(taxonomy.items())));
    }
    return new DemoFeed(
        String.format(
            "synthetic feed: %s events of %,d users (seed %d)",
            events == Long.MAX_VALUE ? "endless" : String.format("%,d", events), users, seed),
        feed,
        events,
        taxonomy.entries(),
        probeItems,
        users,
        item -> taxonomy.fullItem(item.getItemId()),
        feed,
        Map.of());
  }

  /**
   * A MovieLens directory replayed in event-time order, with ad traffic made from it that precedes
   * and predicts each rating: for a rating at time t, an ad request at t − 2 s with an impression
   * of the movie about to be rated (clicked at t − 1 s) and an impression of a negative drawn by
   * popularity among all ratings before t, excluding the movies the user rated at or before t (the
   * offline task's rule, {@link PastPopularitySampler}), not clicked; the rating lands at t. So the
   * user's behaviors at impression time never hold the clicked movie (the old replay showed the
   * movie one second after it was rated: the label was the history's latest behavior). When the
   * user tagged the movie before rating it, t is the time of the first such tag instead, so no
   * behavior of the user on the movie precedes the impression. A rating with no allowed earlier
   * movie (the very first ones of the data) gets the clicked impression only.
   */
  public static DemoFeed movieLens(MovieLensDataset data) {
    Map<String, List<ItemFields>> requests = new HashMap<>();
    List<BehaviorEvent> events = withAdTraffic(data, data.behaviorEvents(), requests);
    Set<Long> users = new LinkedHashSet<>();
    events.forEach(e -> users.add(e.getUserId()));
    List<ItemFields> probeItems = new ArrayList<>();
    data.movies().keySet().stream()
        .sorted()
        .limit(200)
        .forEach(m -> probeItems.add(data.itemFields(m)));
    return new DemoFeed(
        String.format(
            "MovieLens replay of %s: %,d events of %,d users",
            data.directory(), events.size(), users.size()),
        events.iterator(),
        events.size(),
        movieLensTaxonomy(data),
        probeItems,
        users.size(),
        item -> data.itemFields((int) item.getItemId()),
        null,
        requests);
  }

  static final long IMPRESSION_LEAD_MILLIS = 2_000;
  static final long CLICK_LEAD_MILLIS = 1_000;

  /** The replay's events with their ad traffic; each request's shown ads go to {@code requests}. */
  private static List<BehaviorEvent> withAdTraffic(
      MovieLensDataset data, List<BehaviorEvent> base, Map<String, List<ItemFields>> requests) {
    PastPopularitySampler negatives = PastPopularitySampler.of(data.ratings());
    Map<Long, PastPopularitySampler.UserPast> pasts = new HashMap<>();
    List<MovieLensDataset.Rating> ratings = data.ratings(); // by user, then time
    for (int start = 0, end; start < ratings.size(); start = end) {
      end = start;
      while (end < ratings.size() && ratings.get(end).userId() == ratings.get(start).userId()) {
        end++;
      }
      pasts.put(
          (long) ratings.get(start).userId(),
          new PastPopularitySampler.UserPast(ratings.subList(start, end)));
    }
    // A user who tagged the movie before rating it had already engaged with it: the impression
    // goes before the first such tag, so the history cannot hold the movie there either.
    Map<Long, Long> firstTag = new HashMap<>();
    for (MovieLensDataset.Tag tag : data.tags()) {
      firstTag.merge(
          ((long) tag.userId() << 32) | (tag.movieId() & 0xFFFFFFFFL),
          tag.timestampMillis(),
          Math::min);
    }
    SplittableRandom random = new SplittableRandom(23);
    List<BehaviorEvent> events = new ArrayList<>(base.size() * 4);
    for (BehaviorEvent e : base) {
      if (e.getActionType() == ActionType.RATE) {
        long t = e.getEventTime().toEpochMilli();
        String request = "ml-req-" + e.getEventId();
        int target = (int) e.getItem().getItemId();
        long anchor =
            Math.min(t, firstTag.getOrDefault((e.getUserId() << 32) | (target & 0xFFFFFFFFL), t));
        // Excluded: the user's movies up to the rating, a superset of those up to the anchor.
        int negative = negatives.sample(anchor, pasts.get(e.getUserId()).upTo(t), random);
        ItemFields targetItem = data.itemFields(target);
        long shown = anchor - IMPRESSION_LEAD_MILLIS;
        events.add(ad(e, request + "-i1", request, shown, ActionType.IMPRESSION, targetItem));
        if (negative >= 0) {
          ItemFields negativeItem = data.itemFields(negative);
          events.add(ad(e, request + "-i2", request, shown, ActionType.IMPRESSION, negativeItem));
          requests.put(request, List.of(targetItem, negativeItem));
        } else {
          requests.put(request, List.of(targetItem));
        }
        events.add(
            ad(
                e,
                request + "-c1",
                request,
                anchor - CLICK_LEAD_MILLIS,
                ActionType.CLICK,
                targetItem));
      }
      events.add(e);
    }
    // Stable: at equal times the ad events of a rating stay before the rating itself.
    events.sort(Comparator.comparing(BehaviorEvent::getEventTime));
    return events;
  }

  private static BehaviorEvent ad(
      BehaviorEvent from,
      String id,
      String request,
      long time,
      ActionType action,
      ItemFields item) {
    return BehaviorEvent.newBuilder()
        .setEventId(id)
        .setUserId(from.getUserId())
        .setEventTime(java.time.Instant.ofEpochMilli(time))
        .setDomain(Domain.AD)
        .setScenario(1)
        .setActionType(action)
        .setItem(item)
        .setRequestId(request)
        .build();
  }

  /** The genre tree of a MovieLens directory as taxonomy edges. */
  public static List<TaxonomyEntry> movieLensTaxonomy(MovieLensDataset data) {
    Set<TaxonomyEntry> edges = new LinkedHashSet<>();
    for (int movie : data.movies().keySet()) {
      edges.add(
          new TaxonomyEntry(
              TaxonomyKind.L3_PARENT,
              (long) data.categoryL3(movie),
              (long) data.categoryL2(movie)));
      edges.add(
          new TaxonomyEntry(
              TaxonomyKind.L2_PARENT,
              (long) data.categoryL2(movie),
              (long) data.categoryL1(movie)));
    }
    return new ArrayList<>(edges);
  }

  /**
   * The ads the request of {@code impression} showed, as an ad server would have sent them for
   * scoring: all of the request's impressions where the feed knows them (the MovieLens replay shows
   * two per request), else the impression's own ad.
   */
  public List<ItemFields> candidatesOf(BehaviorEvent impression) {
    List<ItemFields> shown =
        impression.getRequestId() == null
            ? null
            : candidatesByRequest.get(impression.getRequestId().toString());
    return shown != null ? shown : List.of(itemLike(impression.getItem()));
  }

  /** The item with all the side info the feed knows (a candidate as an ad server would send). */
  public ItemFields itemLike(ItemFields item) {
    return complete.apply(item);
  }

  /**
   * From now on, each impression's true click probability goes with its outcome into {@code
   * window}, timed by the wall clock of its generation: the AUC no model can beat on the
   * impressions of the same stretch of time. Only a feed that knows the probabilities (the
   * synthetic one) can; returns whether this one does.
   */
  public boolean recordCeiling(ScoreWindow window) {
    if (synthetic == null) {
      return false;
    }
    ceiling = window;
    synthetic.onImpression(
        (impression, p, clicked) ->
            window.record((float) p, clicked ? 1f : 0f, System.currentTimeMillis()));
    return true;
  }

  /** The window {@link #recordCeiling} fills, if any. */
  public java.util.Optional<ScoreWindow> ceiling() {
    return java.util.Optional.ofNullable(ceiling);
  }

  public String description() {
    return description;
  }

  public Iterator<BehaviorEvent> events() {
    return events;
  }

  public long size() {
    return size;
  }

  public List<TaxonomyEntry> taxonomy() {
    return taxonomy;
  }

  public List<ItemFields> probeItems() {
    return probeItems;
  }

  /** Number of distinct users in the feed; user ids are not necessarily 0..users-1. */
  public int users() {
    return users;
  }
}
