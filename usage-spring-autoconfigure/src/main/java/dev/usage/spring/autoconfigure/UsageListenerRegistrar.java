package dev.usage.spring.autoconfigure;

import dev.usage.UsageEngine;
import dev.usage.UsageListener;
import dev.usage.UsageListeners;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Registers every {@link UsageListener} bean with the engine once all singletons exist (so a listener may
 * itself depend on the engine's services), in bean order, and removes them when the context closes.
 */
public class UsageListenerRegistrar implements SmartInitializingSingleton, DisposableBean {

  private final UsageEngine engine;
  private final ObjectProvider<UsageListener> listeners;
  private final List<UsageListeners.Registration> registrations = new ArrayList<>();

  public UsageListenerRegistrar(UsageEngine engine, ObjectProvider<UsageListener> listeners) {
    this.engine = engine;
    this.listeners = listeners;
  }

  @Override
  public synchronized void afterSingletonsInstantiated() {
    listeners.orderedStream().forEach(l -> registrations.add(engine.listeners().register(l)));
  }

  @Override
  public synchronized void destroy() {
    registrations.forEach(UsageListeners.Registration::close);
    registrations.clear();
  }
}
