#include "pg/tool_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "core/error.hpp"

extern "C" {
#include "postgres.h"

#include "miscadmin.h"
}

extern char **environ;

namespace pg {

namespace {

constexpr size_t max_stderr = 64 * 1024;

struct Fd {
    int fd = -1;
    Fd() = default;
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd() { close_now(); }
    void close_now() noexcept {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
};

// The child: killed and reaped unless it ended by itself.
struct Child {
    pid_t pid = -1;
    ~Child() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            int status;
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
        }
    }
};

pgclone::Error failed(const std::string &what) {
    return pgclone::Error("58000", what + ": " + strerror(errno));
}

}  // namespace

std::string tool_path(const std::string &program) {
    std::string dir = my_exec_path;
    auto slash = dir.rfind('/');
    dir = slash == std::string::npos ? "." : dir.substr(0, slash);
    return dir + "/" + program;
}

std::string scratch_dir() {
    std::string dir = std::string(DataDir) + "/base/pgsql_tmp";
    if (::mkdir(dir.c_str(), S_IRWXU) != 0 && errno != EEXIST)
        throw failed("could not create directory \"" + dir + "\"");
    return dir;
}

pgclone::ToolResult run_tool(const pgclone::ToolRun &run, pgclone::Waiter &waiter) {
    std::string path = tool_path(run.program);
    if (::access(path.c_str(), X_OK) != 0)
        throw pgclone::Error("58P01", run.program + " not found at \"" + path + "\"", "",
                             "schema => 'create' runs the server's own " + run.program +
                                 ": install it next to the postgres program (the PostgreSQL client "
                                 "package of the same version).");
    std::vector<std::string> argv_text{path};
    argv_text.insert(argv_text.end(), run.args.begin(), run.args.end());
    std::vector<char *> argv;
    for (std::string &a : argv_text)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    std::vector<std::string> env_text;
    for (char **e = environ; *e; e++) {
        std::string entry = *e;
        bool replaced = false;
        for (const auto &[key, value] : run.env)
            replaced = replaced || entry.compare(0, key.size() + 1, key + "=") == 0;
        if (!replaced)
            env_text.push_back(std::move(entry));
    }
    for (const auto &[key, value] : run.env)
        env_text.push_back(key + "=" + value);
    std::vector<char *> envp;
    for (std::string &e : env_text)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    Fd out_read, out_write, err_read, err_write;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw failed("could not create a pipe");
    out_read.fd = fds[0];
    out_write.fd = fds[1];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw failed("could not create a pipe");
    err_read.fd = fds[0];
    err_write.fd = fds[1];

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_write.fd, 1);
    posix_spawn_file_actions_adddup2(&actions, err_write.fd, 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    // The server's files and sockets (the clone's own sessions) are none of the child's business.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif
    // The server blocks and catches signals its own way; the child starts with the defaults.
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    Child child;
    int spawned = ::posix_spawn(&child.pid, path.c_str(), &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (spawned != 0) {
        child.pid = -1;
        errno = spawned;
        throw failed("could not run \"" + path + "\"");
    }
    out_write.close_now();
    err_write.close_now();
    ::fcntl(out_read.fd, F_SETFL, ::fcntl(out_read.fd, F_GETFL) | O_NONBLOCK);
    ::fcntl(err_read.fd, F_SETFL, ::fcntl(err_read.fd, F_GETFL) | O_NONBLOCK);

    pgclone::ToolResult result;
    char buffer[65536];
    while (out_read.fd >= 0 || err_read.fd >= 0) {
        std::vector<pgclone::SocketInterest> interest;
        for (Fd *f : {&out_read, &err_read})
            if (f->fd >= 0)
                interest.push_back({f->fd, true, false});
        waiter.wait(interest, 1000);
        for (Fd *f : {&out_read, &err_read}) {
            while (f->fd >= 0) {
                ssize_t n = ::read(f->fd, buffer, sizeof buffer);
                if (n > 0) {
                    std::string &into = f == &out_read ? result.out : result.err;
                    if (f == &err_read)
                        into.append(buffer, std::min(static_cast<size_t>(n),
                                                     max_stderr - std::min(max_stderr, into.size())));
                    else
                        into.append(buffer, static_cast<size_t>(n));
                    if (f == &out_read && into.size() > run.max_output)
                        throw pgclone::Error("54000", run.program + " wrote more than " +
                                                          std::to_string(run.max_output >> 20) + " MB");
                    continue;
                }
                if (n == 0)
                    f->close_now();
                else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
                    throw failed("could not read the output of " + run.program);
                if (n < 0 && errno == EINTR)
                    continue;
                break;
            }
        }
    }
    // Both pipes closed: the child has ended, or is about to.
    for (;;) {
        int status = 0;
        pid_t done = ::waitpid(child.pid, &status, WNOHANG);
        if (done == child.pid) {
            child.pid = -1;
            result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return result;
        }
        if (done < 0 && errno != EINTR) {
            child.pid = -1;
            throw failed("could not wait for " + run.program);
        }
        waiter.wait({}, 10);
    }
}

}  // namespace pg
