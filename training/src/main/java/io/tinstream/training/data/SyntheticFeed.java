package io.tinstream.training.data;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.Domain;
import io.tinstream.schemas.ItemFields;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * A deterministic stream of ad and content behaviors with planted signal, for demos, scale tests
 * and benchmarks.
 *
 * <p>Each user follows {@link Config#interests()} current L2 categories, one of which drifts to
 * another category every {@link Config#driftEvery()} of the user's events, and has {@link
 * Config#longTermInterests()} long-term ones that resurface now and then ({@link
 * Config#longTermShare()} of the content behaviors). Content behaviors (play, view, like, share,
 * comment) come from these interests. Ad impressions are drawn from the current interests, the
 * user's favourite items, the long-term interests, or at random; the click ({@link ClickModel})
 * depends on what a model can only read from the trajectory with the right machinery:
 *
 * <ul>
 *   <li><b>recency and time gaps</b>: engagement with the ad's L2 category, each behavior weighted
 *       by its action and decayed with its age (a half-life in event time), so a category the user
 *       left an hour ago counts less than one of the last minutes;
 *   <li><b>action type</b>: likes, shares and comments weigh more than plays, plays more than
 *       views;
 *   <li><b>item-level affinity</b>: an ad of an item the user liked, shared or commented on
 *       recently (one of the favourites) is clicked far more often than another item of the same
 *       category;
 *   <li><b>long-term interests</b>: an ad in a long-term interest gets a boost, though its
 *       behaviors are sparse and far back;
 *   <li><b>scenario</b>: each ad scenario has its own base rate.
 * </ul>
 *
 * The click follows as the user's next event, with the same request id. Each impression's true
 * click probability goes to the {@link ImpressionListener}, so the best AUC any model can reach on
 * the feed (its ceiling) can be printed beside the models' own. Time advances in rounds: each round
 * every user emits one event, a little jittered, so the stream is nearly (not exactly) in
 * event-time order, like a real feed.
 *
 * <p>The same config and seed give the same events, in the same order.
 */
public final class SyntheticFeed implements Iterator<BehaviorEvent> {

  /** How likely an impression is to be clicked; see the class comment. */
  public record ClickModel(
      double[] baseLogitByScenario,
      double engagementWeight,
      long engagementHalfLifeMs,
      double favouriteBoost,
      double longTermBoost) {

    public static ClickModel defaults() {
      return new ClickModel(new double[] {-3.0, -3.6, -4.2}, 1.6, 20 * 60_000L, 2.2, 1.0);
    }

    public ClickModel {
      require(baseLogitByScenario.length > 0, "baseLogitByScenario must not be empty");
      baseLogitByScenario = baseLogitByScenario.clone();
      require(engagementHalfLifeMs > 0, "engagementHalfLifeMs must be > 0");
    }
  }

  /** Generator settings; see the class comment for what they plant. */
  public record Config(
      int users,
      long events,
      long seed,
      long startTimeMillis,
      long roundMillis,
      int interests,
      int driftEvery,
      int longTermInterests,
      double longTermShare,
      double adShare,
      double sparseItemShare,
      ClickModel click) {

    public Config {
      require(users > 0, "users must be > 0");
      require(events >= 0, "events must be >= 0");
      require(roundMillis > 0, "roundMillis must be > 0");
      require(interests > 0, "interests must be > 0");
      require(driftEvery > 0, "driftEvery must be > 0");
      require(longTermInterests >= 0, "longTermInterests must be >= 0");
      require(longTermShare >= 0 && longTermShare <= 1, "longTermShare must be in [0, 1]");
      require(adShare >= 0 && adShare <= 1, "adShare must be in [0, 1]");
      require(sparseItemShare >= 0 && sparseItemShare <= 1, "sparseItemShare must be in [0, 1]");
      java.util.Objects.requireNonNull(click, "click");
    }

    /** Defaults for {@code users} users and {@code events} events in total. */
    public static Config defaults(int users, long events, long seed) {
      return new Config(
          users,
          events,
          seed,
          1_700_000_000_000L,
          60_000L,
          3,
          40,
          2,
          0.15,
          0.4,
          0.1,
          ClickModel.defaults());
    }

    /** The same settings with another click model. */
    public Config withClick(ClickModel model) {
      return new Config(
          users,
          events,
          seed,
          startTimeMillis,
          roundMillis,
          interests,
          driftEvery,
          longTermInterests,
          longTermShare,
          adShare,
          sparseItemShare,
          model);
    }

    /** The same settings with interests drifting every {@code events} of a user's events. */
    public Config withDriftEvery(int events) {
      return new Config(
          users,
          this.events,
          seed,
          startTimeMillis,
          roundMillis,
          interests,
          events,
          longTermInterests,
          longTermShare,
          adShare,
          sparseItemShare,
          click);
    }
  }

  /** Told of every impression with its true click probability and whether it is clicked. */
  public interface ImpressionListener {
    void impression(BehaviorEvent impression, double clickProbability, boolean clicked);
  }

  private static final ActionType[] CONTENT_ACTIONS = {
    ActionType.PLAY, ActionType.VIEW, ActionType.LIKE, ActionType.SHARE, ActionType.COMMENT
  };
  private static final int FAVOURITES = 8;

  private final Config config;
  private final SyntheticTaxonomy taxonomy;
  private final int[][] interests;
  private final int[][] longTerm;
  private final long[][] favourites;
  private final int[] favouriteCount;
  private final Map<Integer, double[]>[] engagement;
  private final int[] eventsOfUser;
  private final long[] pendingClickItem;
  private final String[] pendingClickRequest;
  private final int[] pendingClickScenario;
  private ImpressionListener listener = (impression, p, clicked) -> {};
  private long emitted;

  @SuppressWarnings("unchecked")
  public SyntheticFeed(Config config, SyntheticTaxonomy taxonomy) {
    this.config = config;
    this.taxonomy = taxonomy;
    this.interests = new int[config.users()][config.interests()];
    this.longTerm = new int[config.users()][config.longTermInterests()];
    this.favourites = new long[config.users()][FAVOURITES];
    this.favouriteCount = new int[config.users()];
    this.engagement = new Map[config.users()];
    this.eventsOfUser = new int[config.users()];
    this.pendingClickItem = new long[config.users()];
    this.pendingClickRequest = new String[config.users()];
    this.pendingClickScenario = new int[config.users()];
    Arrays.fill(pendingClickItem, -1);
    for (int u = 0; u < config.users(); u++) {
      SplittableRandom random = randomFor(u, -1);
      for (int k = 0; k < config.interests(); k++) {
        interests[u][k] = random.nextInt(taxonomy.categoriesL2());
      }
      for (int k = 0; k < config.longTermInterests(); k++) {
        longTerm[u][k] = random.nextInt(taxonomy.categoriesL2());
      }
      engagement[u] = new HashMap<>();
    }
  }

  /** The default item universe: 10,000 items in 200 leaf categories. */
  public static SyntheticTaxonomy defaultTaxonomy() {
    return new SyntheticTaxonomy(10_000, 200);
  }

  public SyntheticTaxonomy taxonomy() {
    return taxonomy;
  }

  /** From now on, every impression is also reported to {@code listener}. */
  public void onImpression(ImpressionListener listener) {
    this.listener = java.util.Objects.requireNonNull(listener);
  }

  /** The L2 categories user {@code user} is interested in right now (for tests). */
  public int[] currentInterests(int user) {
    return interests[user].clone();
  }

  /** Whether an ad of this L2 category is in the user's current interests. */
  public boolean inInterest(int user, int categoryL2) {
    return contains(interests[user], categoryL2);
  }

  @Override
  public boolean hasNext() {
    return emitted < config.events();
  }

  @Override
  public BehaviorEvent next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    long round = emitted / config.users();
    int user = (int) (emitted % config.users());
    emitted++;
    SplittableRandom random = randomFor(user, round);
    long time =
        config.startTimeMillis()
            + round * config.roundMillis()
            + random.nextLong(config.roundMillis() / 2 + 1);
    int n = eventsOfUser[user]++;
    if (n > 0 && n % config.driftEvery() == 0) {
      interests[user][random.nextInt(config.interests())] = random.nextInt(taxonomy.categoriesL2());
    }
    String eventId = "syn-" + config.seed() + "-" + user + "-" + round;
    if (pendingClickItem[user] >= 0) {
      BehaviorEvent click =
          event(
              eventId,
              user,
              time,
              Domain.AD,
              pendingClickScenario[user],
              ActionType.CLICK,
              1.0,
              item(pendingClickItem[user], random),
              pendingClickRequest[user]);
      pendingClickItem[user] = -1;
      return click;
    }
    if (random.nextDouble() < config.adShare()) {
      return impression(eventId, user, time, random);
    }
    return content(eventId, user, time, random);
  }

  private BehaviorEvent content(String eventId, int user, long time, SplittableRandom random) {
    boolean fromLongTerm =
        longTerm[user].length > 0 && random.nextDouble() < config.longTermShare();
    int category =
        fromLongTerm
            ? longTerm[user][random.nextInt(longTerm[user].length)]
            : interests[user][random.nextInt(config.interests())];
    long item = taxonomy.itemInCategoryL2(category, random.nextDouble());
    ActionType action = CONTENT_ACTIONS[random.nextInt(CONTENT_ACTIONS.length)];
    engage(user, category, time, actionWeight(action));
    if (isStrong(action)) {
      favourites[user][favouriteCount[user]++ % FAVOURITES] = item;
    }
    double detail = action == ActionType.PLAY ? 5 + random.nextInt(300) : 0.0;
    return event(eventId, user, time, Domain.CONTENT, 0, action, detail, item(item, random), null);
  }

  private BehaviorEvent impression(String eventId, int user, long time, SplittableRandom random) {
    long item = impressedItem(user, random);
    int scenario = 1 + random.nextInt(config.click().baseLogitByScenario().length);
    double p = clickProbability(user, item, scenario, time);
    boolean clicked = random.nextDouble() < p;
    String requestId = "req-" + eventId;
    if (clicked) {
      pendingClickItem[user] = item;
      pendingClickRequest[user] = requestId;
      pendingClickScenario[user] = scenario;
    }
    BehaviorEvent impression =
        event(
            eventId,
            user,
            time,
            Domain.AD,
            scenario,
            ActionType.IMPRESSION,
            0.0,
            item(item, random),
            requestId);
    listener.impression(impression, p, clicked);
    return impression;
  }

  private long impressedItem(int user, SplittableRandom random) {
    double r = random.nextDouble();
    if (r < 0.35) {
      return taxonomy.itemInCategoryL2(
          interests[user][random.nextInt(config.interests())], random.nextDouble());
    }
    if (r < 0.5 && favouriteCount[user] > 0) {
      return favourites[user][random.nextInt(Math.min(favouriteCount[user], FAVOURITES))];
    }
    if (r < 0.6 && longTerm[user].length > 0) {
      return taxonomy.itemInCategoryL2(
          longTerm[user][random.nextInt(longTerm[user].length)], random.nextDouble());
    }
    return random.nextInt(taxonomy.items());
  }

  /** The planted truth: the probability that {@code user} clicks an ad of {@code item} now. */
  public double clickProbability(int user, long item, int scenario, long time) {
    ClickModel click = config.click();
    int category = taxonomy.categoryL2(item);
    double[] base = click.baseLogitByScenario();
    double logit =
        base[Math.floorMod(scenario - 1, base.length)]
            + click.engagementWeight() * Math.log1p(engagementNow(user, category, time))
            + (isFavourite(user, item) ? click.favouriteBoost() : 0)
            + (contains(longTerm[user], category) ? click.longTermBoost() : 0);
    return 1 / (1 + Math.exp(-logit));
  }

  private void engage(int user, int category, long time, double weight) {
    double[] e = engagement[user].computeIfAbsent(category, c -> new double[2]);
    e[0] = decayed(e, time) + weight;
    e[1] = time;
  }

  private double engagementNow(int user, int category, long time) {
    double[] e = engagement[user].get(category);
    return e == null ? 0 : decayed(e, time);
  }

  private double decayed(double[] e, long time) {
    double age = Math.max(0, time - e[1]);
    return e[0] * Math.pow(0.5, age / config.click().engagementHalfLifeMs());
  }

  private boolean isFavourite(int user, long item) {
    int n = Math.min(favouriteCount[user], FAVOURITES);
    for (int i = 0; i < n; i++) {
      if (favourites[user][i] == item) {
        return true;
      }
    }
    return false;
  }

  private static double actionWeight(ActionType action) {
    return switch (action) {
      case LIKE, SHARE, COMMENT -> 1.0;
      case PLAY -> 0.6;
      default -> 0.25;
    };
  }

  private static boolean isStrong(ActionType action) {
    return action == ActionType.LIKE || action == ActionType.SHARE || action == ActionType.COMMENT;
  }

  private static boolean contains(int[] values, int value) {
    for (int v : values) {
      if (v == value) {
        return true;
      }
    }
    return false;
  }

  private ItemFields item(long item, SplittableRandom random) {
    return random.nextDouble() < config.sparseItemShare()
        ? taxonomy.sparseItem(item)
        : taxonomy.fullItem(item);
  }

  private SplittableRandom randomFor(int user, long round) {
    long mixed = config.seed() * 0x9E3779B97F4A7C15L + user * 0xC2B2AE3D27D4EB4FL + round;
    return new SplittableRandom(mixed);
  }

  private static BehaviorEvent event(
      String id,
      long user,
      long time,
      Domain domain,
      int scenario,
      ActionType action,
      double detail,
      ItemFields item,
      String requestId) {
    return BehaviorEvent.newBuilder()
        .setEventId(id)
        .setUserId(user)
        .setEventTime(Instant.ofEpochMilli(time))
        .setDomain(domain)
        .setScenario(scenario)
        .setActionType(action)
        .setActionDetail(detail)
        .setItem(item)
        .setRequestId(requestId)
        .build();
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
