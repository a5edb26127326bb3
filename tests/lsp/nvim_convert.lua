-- Drives Neovim's built-in LSP client against `python -m dockerslim_refactor.frontends.lsp`: open a Dockerfile,
-- wait for diagnostics, ask for code actions on the DSR001 line, apply "Convert to
-- multi-stage build" (resolving it first when it comes without an edit), write, quit.
-- Environment: DSR_FILE (the Dockerfile), DSR_PYTHON (interpreter), DSR_LOG (report file).
local file = os.getenv('DSR_FILE')
local python = os.getenv('DSR_PYTHON')
local log_file = os.getenv('DSR_LOG')
local title = 'Convert to multi-stage build'
local report = {}

local function say(line)
  table.insert(report, line)
  vim.fn.writefile(report, log_file)
end

local function fail(message)
  say('FAIL ' .. message)
  vim.cmd('cquit! 3')
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local config = {
    name = 'dockerslim-refactor',
    cmd = { python, '-m', 'dockerslim_refactor.frontends.lsp' },
    root_dir = vim.fn.fnamemodify(file, ':h'),
  }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config)
  else -- Neovim 0.7
    client_id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(buf, client_id)
  end
  say('client ' .. tostring(client_id))

  if not vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 20) then
    return fail('no diagnostics')
  end
  local from_line, lsp_diagnostics = nil, {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local raw = d.user_data and d.user_data.lsp or {}
    local code = raw.code or d.code
    say('diagnostic ' .. tostring(code) .. ' ' .. d.lnum)
    if code == 'DSR001' then
      from_line = d.lnum
      table.insert(lsp_diagnostics, {
        range = {
          start = { line = d.lnum, character = d.col },
          ['end'] = { line = d.end_lnum or d.lnum, character = d.end_col or d.col },
        },
        message = d.message,
        severity = d.severity,
        code = code,
        source = d.source,
      })
    end
  end
  if from_line == nil then return fail('no DSR001 diagnostic') end

  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = {
      start = { line = from_line, character = 0 },
      ['end'] = { line = from_line, character = 0 },
    },
    context = { diagnostics = lsp_diagnostics },
  }
  local results = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 30000)
  local action, client
  for id, answer in pairs(results or {}) do
    for _, candidate in ipairs(answer.result or {}) do
      say('action ' .. candidate.title)
      -- The title goes on with the size estimate: "Convert to multi-stage build (≈ ...)".
      if candidate.title:sub(1, #title) == title then
        action, client = candidate, vim.lsp.get_client_by_id(id)
      end
    end
  end
  if action == nil then return fail('no "' .. title .. '" action') end
  if action.edit == nil then
    say('resolve')
    local resolved = vim.lsp.buf_request_sync(buf, 'codeAction/resolve', action, 30000)
    for _, answer in pairs(resolved or {}) do
      if answer.result then action = answer.result end
    end
  end
  if action.edit == nil then return fail('the action has no edit') end
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  vim.cmd('write')
  say('written')
  vim.lsp.stop_client(client_id)
  vim.wait(10000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
  say('done')
end)
if not ok then fail(tostring(err)) end
vim.cmd('qall!')
