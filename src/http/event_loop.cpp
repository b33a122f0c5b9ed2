#include "http/event_loop.hpp"

// Asio 1.18's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <mutex>
#include <optional>
#include <thread>

namespace vf::http {

namespace net = boost::asio;

struct EventLoop::Impl {
  net::io_context io{1};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> guard{io.get_executor()};
  std::thread thread;
  std::once_flag stopped;
};

namespace {

class AsioFdWatch final : public EventLoop::FdWatch,
                          public std::enable_shared_from_this<AsioFdWatch> {
 public:
  AsioFdWatch(net::io_context& io, int fd) : descriptor_(io, fd) {}
  ~AsioFdWatch() override { Close(); }
  void OnReadable(std::function<void()> ready) override {
    Wait(net::posix::stream_descriptor::wait_read, std::move(ready));
  }
  void OnWritable(std::function<void()> ready) override {
    Wait(net::posix::stream_descriptor::wait_write, std::move(ready));
  }
  void Close() override {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ec;
    descriptor_.cancel(ec);
    descriptor_.release();  // the owner closes the descriptor itself
  }

 private:
  void Wait(net::posix::stream_descriptor::wait_type type, std::function<void()> ready) {
    if (closed_) return;
    descriptor_.async_wait(type, [self = shared_from_this(),
                                  ready = std::move(ready)](const boost::system::error_code& ec) {
      if (!ec && !self->closed_) ready();
    });
  }
  net::posix::stream_descriptor descriptor_;
  bool closed_ = false;
};

class AsioAlarm final : public EventLoop::Alarm {
 public:
  explicit AsioAlarm(net::io_context& io) : timer_(io) {}
  void At(std::chrono::steady_clock::time_point when, std::function<void()> ring) override {
    timer_.expires_at(when);
    timer_.async_wait([ring = std::move(ring)](const boost::system::error_code& ec) {
      if (!ec) ring();
    });
  }
  void Cancel() override { timer_.cancel(); }

 private:
  net::steady_timer timer_;
};

}  // namespace

EventLoop::EventLoop() : impl_(std::make_unique<Impl>()) {
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

EventLoop::~EventLoop() { Stop(); }

void EventLoop::Post(std::function<void()> task) { net::post(impl_->io, std::move(task)); }

void EventLoop::Stop() {
  std::call_once(impl_->stopped, [this] {
    net::post(impl_->io, [impl = impl_.get()] { impl->guard.reset(); });
    impl_->thread.join();
  });
}

std::shared_ptr<EventLoop::FdWatch> EventLoop::Watch(int fd) {
  return std::make_shared<AsioFdWatch>(impl_->io, fd);
}

std::unique_ptr<EventLoop::Alarm> EventLoop::MakeAlarm() {
  return std::make_unique<AsioAlarm>(impl_->io);
}

}  // namespace vf::http
