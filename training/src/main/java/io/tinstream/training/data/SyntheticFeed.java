package io.tinstream.training.data;

import io.tinstream.schemas.ActionType;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.Domain;
import io.tinstream.schemas.ItemFields;
import java.time.Instant;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * A deterministic stream of ad and content behaviors with planted interests, for demos, scale tests
 * and benchmarks.
 *
 * <p>Planted signal: every user follows {@link Config#interests()} L2 categories at a time, and one
 * of them drifts to another category every {@link Config#driftEvery()} of the user's events (so
 * recent behaviors matter more than old ones). Content behaviors (play, like, ...) come mostly from
 * the current interests. Ad impressions are half from the interests and half random; an impression
 * in a current interest is clicked with {@link Config#clickInInterest()} probability, otherwise
 * with {@link Config#clickOutside()}; the click follows as the user's next event, with the same
 * request id. Time advances in rounds: each round every user emits one event, a little jittered, so
 * the stream is nearly (not exactly) in event-time order, like a real feed.
 *
 * <p>The same config and seed give the same events, in the same order.
 */
public final class SyntheticFeed implements Iterator<BehaviorEvent> {

  /** Generator settings; see the class comment for what they plant. */
  public record Config(
      int users,
      long events,
      long seed,
      long startTimeMillis,
      long roundMillis,
      int interests,
      int driftEvery,
      double adShare,
      double clickInInterest,
      double clickOutside,
      double sparseItemShare) {

    public Config {
      require(users > 0, "users must be > 0");
      require(events >= 0, "events must be >= 0");
      require(roundMillis > 0, "roundMillis must be > 0");
      require(interests > 0, "interests must be > 0");
      require(driftEvery > 0, "driftEvery must be > 0");
      require(adShare >= 0 && adShare <= 1, "adShare must be in [0, 1]");
      require(clickInInterest >= 0 && clickInInterest <= 1, "clickInInterest must be in [0, 1]");
      require(clickOutside >= 0 && clickOutside <= 1, "clickOutside must be in [0, 1]");
      require(sparseItemShare >= 0 && sparseItemShare <= 1, "sparseItemShare must be in [0, 1]");
    }

    /** Defaults for {@code users} users and {@code events} events in total. */
    public static Config defaults(int users, long events, long seed) {
      return new Config(
          users, events, seed, 1_700_000_000_000L, 60_000L, 3, 40, 0.4, 0.5, 0.03, 0.1);
    }
  }

  private static final ActionType[] CONTENT_ACTIONS = {
    ActionType.PLAY, ActionType.VIEW, ActionType.LIKE, ActionType.SHARE, ActionType.COMMENT
  };
  private static final int AD_SCENARIOS = 3;

  private final Config config;
  private final SyntheticTaxonomy taxonomy;
  private final int[][] interests;
  private final int[] eventsOfUser;
  private final long[] pendingClickItem;
  private final String[] pendingClickRequest;
  private final int[] pendingClickScenario;
  private long emitted;

  public SyntheticFeed(Config config, SyntheticTaxonomy taxonomy) {
    this.config = config;
    this.taxonomy = taxonomy;
    this.interests = new int[config.users()][config.interests()];
    this.eventsOfUser = new int[config.users()];
    this.pendingClickItem = new long[config.users()];
    this.pendingClickRequest = new String[config.users()];
    this.pendingClickScenario = new int[config.users()];
    java.util.Arrays.fill(pendingClickItem, -1);
    for (int u = 0; u < config.users(); u++) {
      SplittableRandom random = randomFor(u, -1);
      for (int k = 0; k < config.interests(); k++) {
        interests[u][k] = random.nextInt(taxonomy.categoriesL2());
      }
    }
  }

  /** The default item universe: 10,000 items in 200 leaf categories. */
  public static SyntheticTaxonomy defaultTaxonomy() {
    return new SyntheticTaxonomy(10_000, 200);
  }

  public SyntheticTaxonomy taxonomy() {
    return taxonomy;
  }

  /** The L2 categories user {@code user} is interested in right now (for tests). */
  public int[] currentInterests(int user) {
    return interests[user].clone();
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
    long item = interestItem(user, random);
    ActionType action = CONTENT_ACTIONS[random.nextInt(CONTENT_ACTIONS.length)];
    double detail = action == ActionType.PLAY ? 5 + random.nextInt(300) : 0.0;
    return event(eventId, user, time, Domain.CONTENT, 0, action, detail, item(item, random), null);
  }

  private BehaviorEvent impression(String eventId, int user, long time, SplittableRandom random) {
    long item =
        random.nextBoolean() ? interestItem(user, random) : random.nextInt(taxonomy.items());
    int scenario = 1 + random.nextInt(AD_SCENARIOS);
    double clickProbability =
        inInterest(user, taxonomy.categoryL2(item))
            ? config.clickInInterest()
            : config.clickOutside();
    String requestId = "req-" + eventId;
    if (random.nextDouble() < clickProbability) {
      pendingClickItem[user] = item;
      pendingClickRequest[user] = requestId;
      pendingClickScenario[user] = scenario;
    }
    return event(
        eventId,
        user,
        time,
        Domain.AD,
        scenario,
        ActionType.IMPRESSION,
        0.0,
        item(item, random),
        requestId);
  }

  /** Whether an ad of this L2 category is in the user's current interests (the planted truth). */
  public boolean inInterest(int user, int categoryL2) {
    for (int c : interests[user]) {
      if (c == categoryL2) {
        return true;
      }
    }
    return false;
  }

  private long interestItem(int user, SplittableRandom random) {
    int category = interests[user][random.nextInt(config.interests())];
    return taxonomy.itemInCategoryL2(category, random.nextDouble());
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
