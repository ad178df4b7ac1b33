package io.tinstream.models;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** Model variants by name: {@code pool}, {@code din}, {@code tin}; later variants register here. */
public final class ModelRegistry {
  private static final Map<String, Supplier<InterestLayer>> LAYERS = new ConcurrentHashMap<>();

  static {
    register("pool", MeanPoolLayer::new);
    register("din", DinLayer::new);
    register("tin", TinLayer::new);
  }

  private ModelRegistry() {}

  public static void register(String name, Supplier<InterestLayer> layer) {
    LAYERS.put(name, layer);
  }

  public static Set<String> names() {
    return new TreeSet<>(LAYERS.keySet());
  }

  public static InterestLayer layer(String name) {
    Supplier<InterestLayer> s = LAYERS.get(name);
    if (s == null) {
      throw new IllegalArgumentException("unknown model '" + name + "'; known: " + names());
    }
    return s.get();
  }

  /** Builds and initializes a trainable model for {@code params.variant()}. */
  public static CtrModel build(ModelParams params) {
    return new TfCtrModel(params, layer(params.variant()));
  }
}
