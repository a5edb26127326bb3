;;; emacs_convert.el --- eglot applies "Convert to multi-stage build", headless -*- lexical-binding: t -*-
;; Drives Emacs's eglot client against `dockerslim-refactor lsp': load the README's eglot
;; snippet, open a Dockerfile in dockerfile-mode, start the server the snippet names, wait
;; for the diagnostics, run the "refactor.rewrite" code action through `eglot-code-actions'
;; (the command a user runs), save, shut the server down.
;; Environment: DSR_FILE (the Dockerfile), DSR_SNIPPET (an .el file with the README's
;; snippet), DSR_LOG (report file).

(require 'cl-lib)
(require 'eglot)
(require 'dockerfile-mode)

(defvar dsr-report nil)
(defvar dsr-diagnostics nil)

(defun dsr-say (line)
  (push line dsr-report)
  (with-temp-file (getenv "DSR_LOG")
    (insert (mapconcat #'identity (reverse dsr-report) "\n") "\n")))

(cl-defmethod eglot-handle-notification :before
  (_server (_method (eql textDocument/publishDiagnostics)) &key diagnostics
           &allow-other-keys)
  (setq dsr-diagnostics diagnostics))

(condition-case err
    (progn
      (load (getenv "DSR_SNIPPET") nil t)
      (find-file (getenv "DSR_FILE"))
      (unless (derived-mode-p 'dockerfile-mode)
        (error "not in dockerfile-mode but %s" major-mode))
      (apply #'eglot (eglot--guess-contact))
      (dsr-say (format "server %s" (process-command
                                    (jsonrpc--process (eglot-current-server)))))
      (with-timeout (60 (error "no diagnostics"))
        (while (null dsr-diagnostics)
          (accept-process-output nil 0.05)))
      (cl-loop for d across dsr-diagnostics
               do (dsr-say (format "diagnostic %s %s" (plist-get d :code)
                                   (plist-get (plist-get (plist-get d :range) :start)
                                              :line))))
      (eglot-code-actions (point-min) (point-min) "refactor.rewrite" t)
      (dsr-say "applied")
      (save-buffer)
      (dsr-say "written")
      (eglot-shutdown (eglot-current-server))
      (dsr-say "done")
      (kill-emacs 0))
  (error (dsr-say (format "FAIL %S" err))
         (kill-emacs 3)))
