/**
 * grammY's Composer, made cheaper per update for the features: an update walks past dozens of
 * handlers before the one that answers it, and grammY's own composer
 * - nests two async functions per middleware, so each step allocates their frames and promises;
 * - sends every filter (`on`, `command`, `callbackQuery`…) through `lazy`, which builds a new
 *   Composer at each filter for each update.
 * Here the middleware is a list run one step at a time, and a filter tests its predicate in
 * place. What runs, in which order, and how `next` behaves are grammY's.
 */
import { Composer, type Context, type Middleware, type MiddlewareFn } from "grammy";

type MaybePromise<T> = T | Promise<T>;

const done = Promise.resolve();

interface Step<C extends Context> {
  run: MiddlewareFn<C>;
  /** a filter's predicate: the step runs only when it holds */
  when?: (ctx: C) => MaybePromise<boolean>;
}

export class FeatureComposer<C extends Context> extends Composer<C> {
  readonly #steps: Step<C>[] = [];

  constructor(...middleware: Array<Middleware<C>>) {
    super();
    for (const item of middleware) this.#steps.push({ run: asFunction(item) });
  }

  override middleware(): MiddlewareFn<C> {
    return this.#run;
  }

  override use(...middleware: Array<Middleware<C>>): Composer<C> {
    const composer = new FeatureComposer<C>(...middleware);
    this.#steps.push({ run: composer.middleware() });
    return composer;
  }

  override filter<D extends C>(
    predicate: (ctx: C) => ctx is D,
    ...middleware: Array<Middleware<D>>
  ): Composer<D>;
  override filter(
    predicate: (ctx: C) => MaybePromise<boolean>,
    ...middleware: Array<Middleware<C>>
  ): Composer<C>;
  override filter(
    predicate: (ctx: C) => MaybePromise<boolean>,
    ...middleware: Array<Middleware<C>>
  ): Composer<C> {
    const matched = new FeatureComposer<C>(...middleware);
    this.#steps.push({ run: matched.middleware(), when: predicate });
    return matched;
  }

  readonly #run: MiddlewareFn<C> = (ctx, next) => this.#step(ctx, next, 0);

  /** Runs the steps from `from` on; filters that do not hold are passed over in the loop. */
  #step(ctx: C, next: () => Promise<void>, from: number): Promise<void> {
    const steps = this.#steps;
    for (let index = from; index < steps.length; index++) {
      const { run, when } = steps[index];
      if (when) {
        const verdict = when(ctx);
        if (verdict === false) continue;
        if (verdict !== true) {
          return verdict.then((ok) =>
            ok ? this.#call(run, ctx, next, index) : this.#step(ctx, next, index + 1)
          );
        }
      }
      return this.#call(run, ctx, next, index);
    }
    return next();
  }

  #call(run: MiddlewareFn<C>, ctx: C, next: () => Promise<void>, index: number): Promise<void> {
    let called = false;
    const result = run(ctx, () => {
      if (called) return Promise.reject(new Error("`next` already called before!"));
      called = true;
      return this.#step(ctx, next, index + 1);
    });
    // a step's own value means nothing to the one before it
    return result instanceof Promise ? result as Promise<void> : done;
  }
}

/** A composer's handler; another kind of Composer is asked each time, as grammY does. */
function asFunction<C extends Context>(middleware: Middleware<C>): MiddlewareFn<C> {
  if (typeof middleware === "function") return middleware;
  if (middleware instanceof FeatureComposer) return middleware.middleware();
  return (ctx, next) => middleware.middleware()(ctx, next);
}
