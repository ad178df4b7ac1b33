package io.tinstream.app.feed;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.Domain;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.schemas.TaxonomyKind;
import io.tinstream.training.data.MovieLensDataset;
import io.tinstream.training.data.SyntheticFeed;
import io.tinstream.training.data.SyntheticTaxonomy;
import io.tinstream.training.online.ScoreWindow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
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
  private ScoreWindow ceiling;

  private DemoFeed(
      String description,
      Iterator<BehaviorEvent> events,
      long size,
      List<TaxonomyEntry> taxonomy,
      List<ItemFields> probeItems,
      int users,
      java.util.function.UnaryOperator<ItemFields> complete,
      SyntheticFeed synthetic) {
    this.description = description;
    this.synthetic = synthetic;
    this.events = events;
    this.size = size;
    this.taxonomy = taxonomy;
    this.probeItems = probeItems;
    this.users = users;
    this.complete = complete;
  }

  /** The built-in synthetic feed (planted interests; see {@link SyntheticFeed}). */
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
        feed);
  }

  /**
   * A MovieLens directory replayed in event-time order, with ad traffic made from it: for each
   * rating, one second later an ad impression of the rated movie that gets a click (another second
   * later) and, in the same request, an impression of a movie drawn uniformly that gets none.
   */
  public static DemoFeed movieLens(MovieLensDataset data) {
    List<BehaviorEvent> events = withAdTraffic(data, data.behaviorEvents());
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
        null);
  }

  private static List<BehaviorEvent> withAdTraffic(
      MovieLensDataset data, List<BehaviorEvent> base) {
    List<Integer> movies = data.movies().keySet().stream().sorted().toList();
    SplittableRandom random = new SplittableRandom(23);
    List<BehaviorEvent> events = new ArrayList<>(base.size() * 4);
    for (BehaviorEvent e : base) {
      events.add(e);
      if (e.getActionType() != ActionType.RATE) {
        continue;
      }
      long t = e.getEventTime().toEpochMilli();
      String request = "ml-req-" + e.getEventId();
      int rated = (int) e.getItem().getItemId();
      int other = movies.get(random.nextInt(movies.size()));
      ItemFields ratedItem = data.itemFields(rated);
      events.add(ad(e, request + "-i1", request, t + 1_000, ActionType.IMPRESSION, ratedItem));
      events.add(
          ad(
              e,
              request + "-i2",
              request,
              t + 1_000,
              ActionType.IMPRESSION,
              data.itemFields(other)));
      events.add(ad(e, request + "-c1", request, t + 2_000, ActionType.CLICK, ratedItem));
    }
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
