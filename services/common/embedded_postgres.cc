#include "services/common/embedded_postgres.h"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/common/log.h"
#include "services/common/proc_stat.h"

namespace kvo::common {
namespace {

namespace fs = std::filesystem;
using std::chrono::steady_clock;

constexpr absl::string_view kDefaultBinDir = "/usr/lib/postgresql/15/bin";
constexpr absl::string_view kDefaultRunAsUser = "postgres";
constexpr std::chrono::seconds kStopTimeout{30};

// Who the cluster's processes run as. `drop` is false when kvod itself is
// unprivileged: then the cluster simply runs as the same user.
struct RunAs {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
};

absl::StatusOr<RunAs> ResolveRunAs() {
  if (::geteuid() != 0) return RunAs{};
  const char* env = std::getenv("KVO_PG_USER");
  std::string name = (env != nullptr && *env != '\0')
                         ? std::string(env)
                         : std::string(kDefaultRunAsUser);
  struct passwd pw;
  struct passwd* found = nullptr;
  char buf[4096];
  if (::getpwnam_r(name.c_str(), &pw, buf, sizeof buf, &found) != 0 ||
      found == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "kvod runs as root and PostgreSQL refuses to; there is no user '", name,
        "' to run it as (install postgresql-15, which creates 'postgres', or "
        "set KVO_PG_USER)"));
  }
  if (pw.pw_uid == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("KVO_PG_USER '", name,
                     "' is root; PostgreSQL refuses to "
                     "run as root"));
  }
  return RunAs{true, pw.pw_uid, pw.pw_gid, name};
}

std::string ErrnoText(int err) { return std::strerror(err); }

// The last lines of a log file, joined into one line for an error message.
std::string LogTail(const fs::path& path, size_t max_lines = 4) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    lines.push_back(std::move(line));
    if (lines.size() > max_lines) lines.erase(lines.begin());
  }
  if (lines.empty()) return "(no output; see " + path.string() + ")";
  return absl::StrCat(absl::StrJoin(lines, " | "), " (", path.string(), ")");
}

// Forks and execs `argv` with stdout/stderr appended to `log_path`. All
// memory the child touches is prepared before fork(): the parent may have
// threads, so the child sticks to async-signal-safe calls.
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv,
                            const fs::path& log_path, const RunAs& run_as,
                            bool die_with_parent, int nice = 0) {
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  int log_fd =
      ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot open ", log_path.string(), ": ", ErrnoText(errno)));
  }
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(log_fd);
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot start ", argv[0], ": fork: ", ErrnoText(err)));
  }
  if (pid == 0) {
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    // kvod blocks SIGINT/SIGTERM to sigwait() for them; the mask survives
    // exec, and PostgreSQL must see its shutdown signals.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Own process group: a Ctrl-C on the terminal reaches kvod only, which
    // drains its RPCs before it stops the cluster.
    ::setpgid(0, 0);
    if (run_as.drop) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(run_as.gid) != 0 ||
          ::setuid(run_as.uid) != 0) {
        _exit(126);
      }
    }
    // After setuid: changing credentials clears the parent-death signal.
    if (die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGINT);
      if (::getppid() != parent) _exit(1);
    }
    if (nice > 0) ::setpriority(PRIO_PROCESS, 0, nice);
    ::execv(cargv[0], cargv.data());
    _exit(127);
  }
  ::close(log_fd);
  return pid;
}

// Waits for a child; returns its exit status, or -1 after `timeout`.
int WaitChild(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) return 0;  // not ours any more
    if (steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Whether the PostgreSQL user can reach `dir` (every parent searchable).
bool CanReach(const RunAs& run_as, const fs::path& dir) {
  if (!run_as.drop) return ::access(dir.c_str(), X_OK) == 0;
  pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(run_as.gid) != 0 ||
        ::setuid(run_as.uid) != 0) {
      _exit(2);
    }
    _exit(::access(dir.c_str(), X_OK) == 0 ? 0 : 1);
  }
  int status = WaitChild(pid, std::chrono::seconds(10));
  return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

absl::Status MakeOwnedDir(const fs::path& dir, const RunAs& run_as) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", dir.string(), ": ", ErrnoText(errno)));
  }
  if (::chmod(dir.c_str(), 0700) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot chmod ", dir.string(), ": ", ErrnoText(errno)));
  }
  if (run_as.drop && ::chown(dir.c_str(), run_as.uid, run_as.gid) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot give ", dir.string(), " to user '", run_as.name,
                     "': ", ErrnoText(errno)));
  }
  return absl::OkStatus();
}

// Whether `pid` is a postmaster serving `pgdata` (an orphan of an earlier
// kvod), judged from its command line.
bool IsPostmasterOf(pid_t pid, const fs::path& pgdata) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline",
                   std::ios::binary);
  std::string cmdline((std::istreambuf_iterator<char>(in)),
                      std::istreambuf_iterator<char>());
  std::vector<absl::string_view> args =
      absl::StrSplit(cmdline, absl::ByChar('\0'));
  if (args.empty() || !absl::EndsWith(args[0], "postgres")) return false;
  for (auto a : args) {
    if (a == pgdata.string()) return true;
  }
  return false;
}

// What postmaster.pid says: the postmaster's pid (line 1) and its SysV
// shared memory segment (line 7: key and id), which every process of the
// cluster keeps attached until it exits.
struct PidFile {
  long pid = 0;
  long shm_key = -1;
  long shm_id = -1;
};

std::optional<PidFile> ReadPidFile(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  PidFile out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (n == 1) {
      out.pid = std::atol(line.c_str());
    } else if (n == 7) {
      std::istringstream(line) >> out.shm_key >> out.shm_id;
    }
  }
  return out;
}

// Whether processes of an earlier server still hold its shared memory:
// backends of a killed postmaster, which exit once they notice. A segment
// that is gone, or now is someone else's, holds nothing of ours.
bool SharedMemoryInUse(const PidFile& pf) {
  if (pf.shm_id < 0) return false;
  struct shmid_ds ds;
  if (::shmctl(static_cast<int>(pf.shm_id), IPC_STAT, &ds) != 0) return false;
  if (static_cast<long>(ds.shm_perm.__key) != pf.shm_key) return false;
  return ds.shm_nattch > 0;
}

// A postmaster.pid left by a SIGKILLed or crashed run: stop an orphaned
// server of ours and wait for its last processes, then remove the stale
// lock files that would block start-up (PostgreSQL itself refuses when the
// recorded pid now belongs to someone else, which is common after a
// container restart).
absl::Status ClearLeftoverPostmaster(const fs::path& pgdata,
                                     const fs::path& socket_dir,
                                     const std::function<bool()>& cancelled) {
  const fs::path pid_file = pgdata / "postmaster.pid";
  std::optional<PidFile> pf = ReadPidFile(pid_file);
  if (!pf.has_value()) return absl::OkStatus();
  const pid_t pid = static_cast<pid_t>(pf->pid);
  const auto deadline = steady_clock::now() + kStopTimeout;
  if (pid > 0 && ProcessAlive(pid) && IsPostmasterOf(pid, pgdata)) {
    LogWarn("stopping a PostgreSQL left running by an earlier kvod",
            {{"pid", std::to_string(pid)}});
    ::kill(pid, SIGINT);
    while (ProcessAlive(pid)) {
      if (steady_clock::now() >= deadline || cancelled()) {
        return absl::UnavailableError(absl::StrCat(
            "a PostgreSQL (pid ", pid, ") still runs on ", pgdata.string(),
            " and did not stop; stop it and start kvod again"));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  } else {
    LogWarn("removing a stale postmaster.pid", {{"pid", std::to_string(pid)}});
  }
  if (SharedMemoryInUse(*pf)) {
    LogWarn("waiting for the processes of an earlier PostgreSQL to exit",
            {{"shmid", std::to_string(pf->shm_id)}});
    while (SharedMemoryInUse(*pf)) {
      if (steady_clock::now() >= deadline || cancelled()) {
        return absl::UnavailableError(
            absl::StrCat("processes of an earlier PostgreSQL on ",
                         pgdata.string(), " still run (shared memory id ",
                         pf->shm_id, "); stop them and start kvod again"));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  std::error_code ec;
  fs::remove(pid_file, ec);
  fs::remove(socket_dir / ".s.PGSQL.5432.lock", ec);
  fs::remove(socket_dir / ".s.PGSQL.5432", ec);
  return absl::OkStatus();
}

std::string DescribeExit(int status) {
  if (WIFSIGNALED(status)) {
    return absl::StrCat("killed by signal ", WTERMSIG(status));
  }
  if (WIFEXITED(status)) return absl::StrCat("exit code ", WEXITSTATUS(status));
  return "gone";
}

// libpq conninfo values are quoted so paths with spaces survive.
std::string QuoteConnValue(absl::string_view v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

}  // namespace

absl::StatusOr<fs::path> FindPostgresBinDir() {
  const char* env = std::getenv("KVO_PG_BINDIR");
  fs::path dir = (env != nullptr && *env != '\0')
                     ? fs::path(env)
                     : fs::path(std::string(kDefaultBinDir));
  for (const char* tool : {"initdb", "postgres"}) {
    if (::access((dir / tool).c_str(), X_OK) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "PostgreSQL 15 server binaries not found (no ", (dir / tool).string(),
          "): install the Debian package postgresql-15, set KVO_PG_BINDIR, "
          "or pass --database-url"));
    }
  }
  return dir;
}

absl::StatusOr<std::unique_ptr<EmbeddedPostgres>> EmbeddedPostgres::Start(
    const EmbeddedPostgresOptions& options) {
  auto bin_dir = FindPostgresBinDir();
  if (!bin_dir.ok()) return bin_dir.status();
  auto run_as = ResolveRunAs();
  if (!run_as.ok()) return run_as.status();

  const fs::path root = fs::absolute(options.root).lexically_normal();
  const fs::path pgdata = root / "pg";
  const fs::path socket_dir = root / "pgrun";
  const fs::path log_dir = root / "log";
  const std::string socket_path = (socket_dir / ".s.PGSQL.5432").string();
  if (socket_path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data directory path is too long for PostgreSQL's unix socket (",
        socket_path.size(), " characters, at most ",
        sizeof(sockaddr_un{}.sun_path) - 1, "): choose a shorter --data-dir"));
  }

  // The cluster user must traverse the data directory, nothing more.
  if (run_as->drop) {
    struct stat st;
    if (::stat(root.c_str(), &st) == 0 && (st.st_mode & S_IXOTH) == 0) {
      ::chmod(root.c_str(), (st.st_mode & 07777) | S_IXOTH);
    }
    if (!CanReach(*run_as, root)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "PostgreSQL runs as user '", run_as->name, "', who cannot reach ",
          root.string(),
          ": make every parent directory searchable (chmod o+x) or choose "
          "another --data-dir"));
    }
  }
  if (::mkdir(log_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create ", log_dir.string(), ": ", ErrnoText(errno)));
  }
  if (auto s = MakeOwnedDir(socket_dir, *run_as); !s.ok()) return s;

  std::unique_ptr<EmbeddedPostgres> pg(new EmbeddedPostgres());
  pg->socket_dir_ = socket_dir;

  if (!fs::exists(pgdata / "PG_VERSION")) {
    if (fs::exists(pgdata)) {
      return absl::FailedPreconditionError(absl::StrCat(
          pgdata.string(),
          " exists but holds no PostgreSQL cluster; move it away or choose "
          "another --data-dir"));
    }
    // initdb into a scratch directory and rename: a run killed half-way
    // leaves no half cluster behind.
    const fs::path scratch = root / "pg.init";
    std::error_code ec;
    fs::remove_all(scratch, ec);
    if (auto s = MakeOwnedDir(scratch, *run_as); !s.ok()) return s;
    std::vector<std::string> argv = {(*bin_dir / "initdb").string(),
                                     "-D",
                                     scratch.string(),
                                     "-U",
                                     std::string(kSuperuser),
                                     "--auth=trust",
                                     "--encoding=UTF8",
                                     "--locale=C",
                                     "--no-instructions"};
    if (options.fast_initdb) argv.push_back("--no-sync");
    const fs::path initdb_log = log_dir / "initdb.log";
    auto pid = Spawn(argv, initdb_log, *run_as, /*die_with_parent=*/true);
    if (!pid.ok()) return pid.status();
    int status = WaitChild(*pid, std::chrono::minutes(5));
    if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      if (status < 0) {
        ::kill(*pid, SIGKILL);
        WaitChild(*pid, std::chrono::seconds(5));
      }
      fs::remove_all(scratch, ec);
      return absl::FailedPreconditionError(
          absl::StrCat("initdb failed: ", LogTail(initdb_log)));
    }
    fs::rename(scratch, pgdata, ec);
    if (ec) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot move the new cluster into place: ", ec.message()));
    }
    pg->initialized_now_ = true;
  }

  pg->options_ = options;
  pg->bin_dir_ = *bin_dir;
  pg->pgdata_ = pgdata;
  pg->log_dir_ = log_dir;
  auto pid = pg->Launch([] { return false; });
  if (!pid.ok()) return pid.status();
  pg->pid_ = *pid;
  return pg;
}

absl::StatusOr<pid_t> EmbeddedPostgres::Launch(
    const std::function<bool()>& cancelled) {
  if (auto s = ClearLeftoverPostmaster(pgdata_, socket_dir_, cancelled);
      !s.ok()) {
    return s;
  }
  auto run_as = ResolveRunAs();
  if (!run_as.ok()) return run_as.status();
  std::vector<std::string> argv = {
      (bin_dir_ / "postgres").string(), "-D", pgdata_.string(), "-k",
      socket_dir_.string(), "-c", "listen_addresses=", "-c",
      absl::StrCat("port=", kPort), "-c", "unix_socket_permissions=0700",
      // WAL past a checkpoint is deleted, not
      // kept for reuse: a deleted data key's
      // WAL records go with it (README).
      "-c", "wal_recycle=off"};
  for (const auto& setting : options_.settings) {
    argv.push_back("-c");
    argv.push_back(setting);
  }
  const fs::path server_log = log_dir_ / "postgres.log";
  auto pid =
      Spawn(argv, server_log, *run_as, /*die_with_parent=*/true, options_.nice);
  if (!pid.ok()) return pid.status();

  const std::string ping = ConnectionString("postgres") + " connect_timeout=2";
  const auto deadline = steady_clock::now() + options_.start_timeout;
  for (;;) {
    int status = 0;
    if (::waitpid(*pid, &status, WNOHANG) == *pid) {
      return absl::UnavailableError(absl::StrCat(
          "PostgreSQL exited during start-up: ", LogTail(server_log)));
    }
    if (PQping(ping.c_str()) == PQPING_OK) return *pid;
    if (steady_clock::now() >= deadline || cancelled()) {
      ::kill(*pid, SIGINT);
      if (WaitChild(*pid, kStopTimeout) < 0) {
        ::kill(*pid, SIGKILL);
        WaitChild(*pid, std::chrono::seconds(5));
      }
      if (cancelled()) return absl::CancelledError("kvod is stopping");
      return absl::UnavailableError(absl::StrCat(
          "PostgreSQL did not accept connections within ",
          options_.start_timeout.count(), " s: ", LogTail(server_log)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

EmbeddedPostgres::~EmbeddedPostgres() { Stop().IgnoreError(); }

void EmbeddedPostgres::Supervise(std::function<void(bool running)> on_change) {
  if (supervisor_.joinable() || stopping_) return;
  supervisor_ = std::thread(
      [this, on_change = std::move(on_change)] { SuperviseLoop(on_change); });
}

void EmbeddedPostgres::SuperviseLoop(
    const std::function<void(bool)>& on_change) {
  auto stopping = [this] { return stopping_.load(); };
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const pid_t pid = pid_;
    if (pid > 0) {
      int status = 0;
      const pid_t r = ::waitpid(pid, &status, WNOHANG);
      if (r == pid || (r < 0 && errno == ECHILD)) {
        pid_ = -1;
        LogError("PostgreSQL exited unexpectedly; starting it again",
                 {{"pid", std::to_string(pid)},
                  {"how", r == pid ? DescribeExit(status) : "gone"}});
        lock.unlock();
        on_change(false);
        lock.lock();
        continue;
      }
      wake_.wait_for(lock, kWatchInterval, stopping);
      continue;
    }
    lock.unlock();
    const auto t0 = steady_clock::now();
    auto started = Launch(stopping);
    lock.lock();
    if (started.ok()) {
      pid_ = *started;
      LogInfo("embedded postgres started again",
              {{"pid", std::to_string(*started)},
               {"ms", std::to_string(
                          std::chrono::duration_cast<std::chrono::milliseconds>(
                              steady_clock::now() - t0)
                              .count())}});
      lock.unlock();
      on_change(true);
      lock.lock();
    } else if (!stopping_) {
      LogWarn("embedded postgres did not start; retrying",
              {{"detail", started.status().message()}});
      wake_.wait_for(lock, kRestartBackoff, stopping);
    }
  }
}

absl::Status EmbeddedPostgres::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
  const pid_t pid = pid_.exchange(-1);
  if (pid <= 0) return absl::OkStatus();
  ::kill(pid, SIGINT);  // fast shutdown
  if (WaitChild(pid, kStopTimeout) >= 0) return absl::OkStatus();
  ::kill(pid, SIGQUIT);  // immediate shutdown
  if (WaitChild(pid, std::chrono::seconds(5)) >= 0) {
    return absl::DeadlineExceededError(
        "PostgreSQL needed an immediate shutdown; it recovers on next start");
  }
  ::kill(pid, SIGKILL);
  WaitChild(pid, std::chrono::seconds(5));
  return absl::DeadlineExceededError("PostgreSQL had to be killed");
}

std::string EmbeddedPostgres::ConnectionString(absl::string_view dbname) const {
  return absl::StrCat("host=", QuoteConnValue(socket_dir_.string()),
                      " port=", kPort, " user=", kSuperuser,
                      " dbname=", QuoteConnValue(dbname));
}

absl::Status EmbeddedPostgres::CreateDatabaseIfMissing(
    absl::string_view dbname, absl::string_view template_db) {
  try {
    pqxx::connection conn(ConnectionString("postgres"));
    pqxx::nontransaction tx(conn);
    pqxx::result exists = tx.exec_params(
        "SELECT 1 FROM pg_database WHERE datname = $1", std::string(dbname));
    if (!exists.empty()) return absl::OkStatus();
    std::string sql = "CREATE DATABASE " + tx.quote_name(std::string(dbname));
    if (!template_db.empty()) {
      sql += " TEMPLATE " + tx.quote_name(std::string(template_db));
    }
    tx.exec0(sql);
    return absl::OkStatus();
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == "42P04") return absl::OkStatus();  // raced: exists
    return absl::InternalError(
        absl::StrCat("cannot create database ", dbname, ": ", e.sqlstate()));
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot reach the embedded PostgreSQL: ", e.what()));
  }
}

absl::Status EmbeddedPostgres::DropDatabase(absl::string_view dbname) {
  try {
    pqxx::connection conn(ConnectionString("postgres"));
    pqxx::nontransaction tx(conn);
    tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(std::string(dbname)) +
             " WITH (FORCE)");
    return absl::OkStatus();
  } catch (const std::exception& e) {
    return absl::InternalError(
        absl::StrCat("cannot drop database ", dbname, ": ", e.what()));
  }
}

}  // namespace kvo::common
