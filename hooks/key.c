/*
 * key.c - pthread keys, per green thread.
 *
 * Every key is also a real pthread key: pthread_key_create makes the real
 * one, with the program's destructor, and its number is ours.  A thread
 * the shim did not create (or any call before our constructor) then simply
 * uses the real functions, with native semantics.  A green thread keeps
 * its values in blocks of 32 (allocated on first set), each value tagged
 * with the key's sequence number when it was set: deleting a key bumps the
 * sequence, so a key created again in the same slot reads NULL, as POSIX
 * requires.  Destructors run when the green thread exits, up to
 * PTHREAD_DESTRUCTOR_ITERATIONS rounds.
 *
 * The main thread may have set values before our constructor made it a
 * green thread: ub_key_adopt copies them over from the real keys.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "hook.h"
#include "thread.h"

struct key {
  _Atomic uintptr_t seq; /* odd: in use */
  void (*_Atomic dtor)(void *);
};

static struct key keys[PTHREAD_KEYS_MAX];

int pthread_key_create(pthread_key_t *key, void (*dtor)(void *))
{
  ub_real_ensure();
  int err = real.pthread_key_create(key, dtor);
  if (err != 0)
    return err;
  if (*key >= PTHREAD_KEYS_MAX) {
    real.pthread_key_delete(*key);
    return EAGAIN;
  }
  struct key *k = &keys[*key];
  atomic_store(&k->dtor, dtor);
  atomic_fetch_add(&k->seq, 1); /* now odd: in use */
  return 0;
}

int pthread_key_delete(pthread_key_t key)
{
  ub_real_ensure();
  if (key >= PTHREAD_KEYS_MAX || !(atomic_load(&keys[key].seq) & 1))
    return EINVAL;
  atomic_fetch_add(&keys[key].seq, 1); /* even: free; old values stale */
  return real.pthread_key_delete(key);
}

static struct ub_keyval *slot(struct ub_thread *t, pthread_key_t key,
                              bool create)
{
  struct ub_keyval **b = &t->keys[key / UB_KEY_BLOCK];
  if (*b == NULL) {
    if (!create)
      return NULL;
    *b = calloc(UB_KEY_BLOCK, sizeof(**b));
    if (*b == NULL)
      return NULL;
  }
  return &(*b)[key % UB_KEY_BLOCK];
}

void *pthread_getspecific(pthread_key_t key)
{
  struct ub_thread *t = ub_thread_self();
  if (t == NULL) {
    ub_real_ensure();
    return real.pthread_getspecific(key);
  }
  if (key >= PTHREAD_KEYS_MAX)
    return NULL;
  struct ub_keyval *v = slot(t, key, false);
  if (v == NULL ||
      v->seq != atomic_load_explicit(&keys[key].seq, memory_order_relaxed))
    return NULL;
  return v->value;
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
  struct ub_thread *t = ub_thread_self();
  if (t == NULL) {
    ub_real_ensure();
    return real.pthread_setspecific(key, value);
  }
  uintptr_t seq;
  if (key >= PTHREAD_KEYS_MAX || !((seq = atomic_load(&keys[key].seq)) & 1))
    return EINVAL;
  struct ub_keyval *v = slot(t, key, true);
  if (v == NULL)
    return ENOMEM;
  v->seq = seq;
  v->value = (void *)value;
  return 0;
}

void ub_key_adopt(struct ub_thread *t)
{
  for (pthread_key_t k = 0; k < PTHREAD_KEYS_MAX; k++) {
    uintptr_t seq = atomic_load(&keys[k].seq);
    if (!(seq & 1))
      continue;
    void *value = real.pthread_getspecific(k);
    struct ub_keyval *v = value != NULL ? slot(t, k, true) : NULL;
    if (v != NULL) {
      v->seq = seq;
      v->value = value;
    }
  }
}

void ub_key_exit(struct ub_thread *t)
{
  for (int round = 0; round < PTHREAD_DESTRUCTOR_ITERATIONS; round++) {
    bool called = false;
    for (size_t b = 0; b < UB_KEY_BLOCKS; b++) {
      for (size_t i = 0; t->keys[b] != NULL && i < UB_KEY_BLOCK; i++) {
        struct ub_keyval *v = &t->keys[b][i];
        struct key *k = &keys[b * UB_KEY_BLOCK + i];
        void (*dtor)(void *) = atomic_load(&k->dtor);
        if (v->value == NULL || v->seq != atomic_load(&k->seq) || dtor == NULL)
          continue;
        void *value = v->value;
        v->value = NULL;
        dtor(value);
        called = true;
      }
    }
    if (!called)
      break;
  }
  for (size_t b = 0; b < UB_KEY_BLOCKS; b++)
    free(t->keys[b]);
}
