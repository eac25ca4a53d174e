// thread_cxx.cc - C++ threads: std::thread, std::mutex, std::condition_variable,
// std::async/std::future/std::promise, std::atomic, thread_local, std::call_once,
// std::shared_mutex.
//
// 4 std::threads x 10000 increments under a std::mutex (lock_guard) and on a std::atomic;
// std::thread::get_id distinct and != main's, joinable() before/after join, atomic CAS and
// exchange; a condition_variable handshake and a bounded producer/consumer
// queue of 1000 items; wait_for timing out (cv_status::timeout, >= 40 of 50 ms) and wait_for
// with a predicate that becomes true; std::async(launch::async) futures with values, one that
// throws (the exception arrives through get()), launch::deferred running in the caller, a
// promise set from another thread, shared_future read by 3 threads, a packaged_task run on a
// std::thread; thread_local objects with
// constructors and destructors (one per thread that touches it, destructor at thread exit);
// std::call_once; shared_mutex readers together; exceptions thrown and caught inside threads;
// this_thread::sleep_for in a thread.
// Output goes through common.h (write(2), one check per line). Threads only record results;
// the main thread prints after joining them.
#include "common.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <stdexcept>
#include <thread>
#include <vector>

static void test_mutex_atomic()
{
    std::mutex m;
    long counter = 0;
    std::atomic<long> acounter{0};
    std::vector<std::thread> ts;
    std::vector<std::thread::id> ids(4);
    for (int i = 0; i < 4; i++)
        ts.emplace_back([&, i] {
            ids[i] = std::this_thread::get_id();
            for (int k = 0; k < 10000; k++) {
                {
                    std::lock_guard<std::mutex> g(m);
                    counter++;
                }
                acounter.fetch_add(1, std::memory_order_relaxed);
            }
        });
    bool joinable = true;
    for (auto &t : ts)
        joinable = joinable && t.joinable();
    for (auto &t : ts)
        t.join();
    for (auto &t : ts)
        joinable = joinable && !t.joinable();
    CHECK(counter == 40000, "std::mutex counter: %ld of 40000", counter);
    CHECK(acounter.load() == 40000, "std::atomic<long> counter: %ld of 40000", acounter.load());
    CHECK(joinable, "joinable() before join, not after");
    std::set<std::thread::id> s(ids.begin(), ids.end());
    CHECK(s.size() == 4 && !s.count(std::this_thread::get_id()), "get_id() distinct per thread and != main's");

    std::atomic<int> a{5};
    int expected = 5;
    bool swapped = a.compare_exchange_strong(expected, 9);
    expected = 5;
    bool not_swapped = !a.compare_exchange_strong(expected, 11);
    CHECK(swapped && not_swapped && expected == 9 && a.exchange(1) == 9 && a.load() == 1,
          "std::atomic compare_exchange_strong / exchange");
}

static void test_condvar()
{
    std::mutex m;
    std::condition_variable cv;
    int state = 0;
    std::thread t([&] {
        std::unique_lock<std::mutex> lk(m);
        cv.wait(lk, [&] { return state == 1; });
        state = 2;
        lk.unlock();
        cv.notify_one();
    });
    {
        std::lock_guard<std::mutex> g(m);
        state = 1;
    }
    cv.notify_one();
    {
        std::unique_lock<std::mutex> lk(m);
        cv.wait(lk, [&] { return state == 2; });
    }
    t.join();
    CHECK(state == 2, "condition_variable handshake both ways");

    // bounded queue, 1 producer, 2 consumers
    std::deque<int> q;
    std::condition_variable notfull, notempty;
    bool done = false;
    long sum = 0;
    int count = 0;
    size_t maxlen = 0;
    std::thread prod([&] {
        for (int i = 0; i < 1000; i++) {
            std::unique_lock<std::mutex> lk(m);
            notfull.wait(lk, [&] { return q.size() < 8; });
            q.push_back(i);
            maxlen = std::max(maxlen, q.size());
            notempty.notify_one();
        }
        std::lock_guard<std::mutex> g(m);
        done = true;
        notempty.notify_all();
    });
    auto consume = [&] {
        for (;;) {
            std::unique_lock<std::mutex> lk(m);
            notempty.wait(lk, [&] { return !q.empty() || done; });
            if (q.empty())
                return;
            sum += q.front();
            count++;
            q.pop_front();
            notfull.notify_one();
        }
    };
    std::thread c1(consume), c2(consume);
    prod.join();
    c1.join();
    c2.join();
    CHECK(count == 1000 && sum == 999L * 1000 / 2 && maxlen <= 8, "condition_variable queue: 1000 items, sum right, <= 8 queued");

    std::unique_lock<std::mutex> lk(m);
    auto t0 = std::chrono::steady_clock::now();
    std::cv_status st = cv.wait_for(lk, std::chrono::milliseconds(50));
    while (st == std::cv_status::no_timeout) // spurious wake-ups
        st = cv.wait_until(lk, t0 + std::chrono::milliseconds(50));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    CHECK(st == std::cv_status::timeout, "wait_for(50 ms) -> cv_status::timeout");
    CHECK(ms >= 40, "... after >= 40 ms");
    bool flag = false;
    std::thread setter([&] {
        std::lock_guard<std::mutex> g(m);
        flag = true;
        cv.notify_one();
    });
    bool got = cv.wait_for(lk, std::chrono::seconds(10), [&] { return flag; });
    lk.unlock();
    setter.join();
    CHECK(got, "wait_for(10 s, pred) returns true once another thread sets the flag");
}

static int square(int x) { return x * x; }

static void test_futures()
{
    std::vector<std::future<int>> fs;
    for (int i = 0; i < 8; i++)
        fs.push_back(std::async(std::launch::async, square, i));
    int sum = 0;
    for (auto &f : fs)
        sum += f.get();
    CHECK(sum == 140, "8 std::async(launch::async) futures: sum of squares 140");

    auto thrower = std::async(std::launch::async, []() -> int { throw std::runtime_error("boom"); });
    bool caught = false;
    try {
        thrower.get();
    } catch (const std::runtime_error &e) {
        caught = std::string(e.what()) == "boom";
    }
    CHECK(caught, "an exception thrown in an async task arrives through future::get()");

    std::thread::id main_id = std::this_thread::get_id(), deferred_id;
    auto d = std::async(std::launch::deferred, [&] {
        deferred_id = std::this_thread::get_id();
        return 3;
    });
    CHECK(d.get() == 3 && deferred_id == main_id, "launch::deferred runs in the caller at get()");

    std::promise<std::string> p;
    std::future<std::string> pf = p.get_future();
    std::thread t([&p] { p.set_value("from a thread"); });
    CHECK(pf.get() == "from a thread", "std::promise set from another thread");
    t.join();

    std::promise<int> sp;
    std::shared_future<int> sf = sp.get_future().share();
    std::atomic<int> seen{0};
    std::vector<std::thread> rs;
    for (int i = 0; i < 3; i++)
        rs.emplace_back([&] { seen += sf.get(); });
    sp.set_value(7);
    for (auto &r : rs)
        r.join();
    CHECK(seen == 21, "shared_future read by 3 threads");

    std::packaged_task<int(int)> task(square);
    auto tf = task.get_future();
    std::thread pt(std::move(task), 12);
    pt.join();
    CHECK(tf.get() == 144, "packaged_task run on a std::thread");
}

static std::atomic<int> g_ctors{0}, g_dtors{0};
struct Tracked {
    int value;
    Tracked() : value(100) { g_ctors++; }
    ~Tracked() { g_dtors++; }
};
static thread_local Tracked t_obj;
static thread_local int t_plain = 5;

static void test_thread_local()
{
    std::atomic<int> good{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < 4; i++)
        ts.emplace_back([&, i] {
            bool ok = t_plain == 5 && t_obj.value == 100;
            t_plain = i;
            t_obj.value = 200 + i;
            std::this_thread::yield();
            ok = ok && t_plain == i && t_obj.value == 200 + i;
            good += ok;
        });
    std::thread untouched([] { t_plain = 9; }); // never touches t_obj: no construction
    for (auto &t : ts)
        t.join();
    untouched.join();
    CHECK(good == 4, "thread_local: initial values, then per-thread values");
    CHECK(g_ctors == 4 && g_dtors == 4, "thread_local object: constructed and destroyed once per thread that used it (%d/%d)",
          g_ctors.load(), g_dtors.load());
    CHECK(t_plain == 5, "the main thread's thread_local is untouched");
}

static void test_misc()
{
    std::once_flag once;
    std::atomic<int> runs{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < 6; i++)
        ts.emplace_back([&] { std::call_once(once, [&] { runs++; }); });
    for (auto &t : ts)
        t.join();
    CHECK(runs == 1, "std::call_once from 6 threads ran once");

    std::shared_mutex sm;
    std::atomic<int> inside{0};
    std::atomic<int> saw_two{0};
    std::vector<std::thread> readers;
    for (int i = 0; i < 2; i++)
        readers.emplace_back([&] {
            std::shared_lock<std::shared_mutex> lk(sm);
            inside++;
            auto t0 = std::chrono::steady_clock::now();
            while (inside.load() < 2 && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5))
                std::this_thread::yield();
            saw_two += inside.load() >= 2;
        });
    for (auto &r : readers)
        r.join();
    CHECK(saw_two == 2, "shared_mutex: two readers inside at once");
    {
        std::unique_lock<std::shared_mutex> w(sm);
        bool blocked = false;
        std::thread tr([&] { blocked = !sm.try_lock_shared(); });
        tr.join();
        CHECK(blocked, "shared_mutex: try_lock_shared fails while write-locked");
    }

    std::atomic<int> caught{0};
    std::vector<std::thread> es;
    for (int i = 0; i < 3; i++)
        es.emplace_back([&, i] {
            try {
                if (i >= 0)
                    throw i;
            } catch (int v) {
                if (v == i)
                    caught++;
            }
        });
    for (auto &t : es)
        t.join();
    CHECK(caught == 3, "exceptions thrown and caught inside 3 threads");

    auto t0 = std::chrono::steady_clock::now();
    std::thread sl([] { std::this_thread::sleep_for(std::chrono::milliseconds(30)); });
    sl.join();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    CHECK(ms >= 25, "this_thread::sleep_for(30 ms) in a thread, joined after >= 25 ms");
}

int main()
{
    test_mutex_atomic();
    test_condvar();
    test_futures();
    test_thread_local();
    test_misc();
    return finish();
}
