Attribute VB_Name = "VaxcleanHelpers"
' VaxcleanHelpers: hand-written VBA of the vaxclean add-in (this file is the source
' of truth; keep it ASCII). Used by the generated module VaxcleanRibbon; needs the
' xlwings module (GetConfig, FileExists) in the same VBA project.
'
' Why VBA at all here: these checks run BEFORE Python starts, so the commonest
' failures of a first click get a Vietnamese explanation instead of VBA's "Debug"
' dialog or an English xlwings box:
'   1. no workbook open (xlwings' GetConfig and RunPython read ActiveWorkbook and
'      raise error 91 on Nothing), checked first, by VaxcleanHasWorkbook;
'   2. no Python at the configured interpreter path (INTERPRETER_WIN), or, for a
'      prebuilt add-in whose interpreter is just "python", no python.exe on PATH or
'      only the Windows Store stub (which opens the Store instead of running Python);
'   3. Excel not allowed to start another program (an organisation's security
'      policy, e.g. the Defender "attack surface reduction" rule for Office).
' The generated VaxcleanRun installs its error handler before any of these checks,
' so nothing a click does can reach the "Debug" dialog; VaxcleanRunFailed maps the
' VBA error number to the advice that fits it.
' Vietnamese texts come from VaxcleanText() (generated with ChrW from Python) and
' are shown with WScript.Shell.Popup, which is Unicode; VBA's MsgBox is ANSI and
' would show most Vietnamese letters as "?".
' File and folder pickers are done in Python through Excel's FileDialog (Unicode
' paths over COM), so there are none here.
Option Explicit

' True when buttonId is safe to splice into the RunPython command (registry ids
' are lower-case ASCII letters, digits and "_").
Public Function VaxcleanValidId(ByVal buttonId As String) As Boolean
    VaxcleanValidId = (Len(buttonId) > 0 And Len(buttonId) <= 24 _
                       And Not (buttonId Like "*[!a-z0-9_]*"))
End Function

' False (after telling the user to open a list) when Excel has no active workbook:
' only Excel windows of add-ins, or a file still in Protected View. Reads nothing
' else: the configuration lookup needs ActiveWorkbook and comes after this.
Public Function VaxcleanHasWorkbook() As Boolean
    Dim wb As Object
    On Error Resume Next
    Set wb = ActiveWorkbook
    On Error GoTo 0
    If wb Is Nothing Then
        VaxcleanMessage VaxcleanText("no_workbook"), True
        Exit Function
    End If
    VaxcleanHasWorkbook = True
End Function

' False (after telling the user why) when Python cannot be started at all.
' The interpreter is the one RunPython will use: the "vaxclean.conf" sheet of the
' active workbook, then of this add-in (written by install-excel), then the
' conf files; "python" (a prebuilt add-in) is looked up on PATH as cmd.exe would.
Public Function VaxcleanPreflight() As Boolean
#If Mac Then
    VaxcleanPreflight = True
#Else
    Dim interpreter As String, found As String
    interpreter = CStr(GetConfig("INTERPRETER_WIN", ""))
    If interpreter = "" Then interpreter = CStr(GetConfig("INTERPRETER", "python"))
    If interpreter = "python" Or interpreter = "pythonw" Then
        found = VaxcleanFindOnPath(interpreter & ".exe")
        If found = "" Then
            VaxcleanMessage VaxcleanText("no_python_on_path"), True
            Exit Function
        End If
        If VaxcleanIsStoreStub(found) Then
            VaxcleanMessage VaxcleanText("python_store_stub") & vbCrLf & vbCrLf & found, True
            Exit Function
        End If
    ElseIf Not FileExists(VaxcleanExpandEnv(interpreter)) Then
        If ThisWorkbook.IsAddin Then
            VaxcleanMessage VaxcleanText("no_python") & vbCrLf & vbCrLf & interpreter, True
        Else
            VaxcleanMessage VaxcleanText("no_python") & vbCrLf & VaxcleanText("no_python_workbook") _
                            & vbCrLf & vbCrLf & interpreter, True
        End If
        Exit Function
    End If
    VaxcleanPreflight = True
#End If
End Function

'' The path with each %NAME% replaced by that environment variable, as xlwings expands
' the interpreter setting (the bundle's prebuilt add-in names
' %LOCALAPPDATA%\vaxclean\venv\Scripts\pythonw.exe); an unknown name stays as it is.
Public Function VaxcleanExpandEnv(ByVal path As String) As String
    Dim startPos As Long, endPos As Long, name As String, value As String
    startPos = InStr(1, path, "%")
    Do While startPos > 0
        endPos = InStr(startPos + 1, path, "%")
        If endPos = 0 Then Exit Do
        name = Mid$(path, startPos + 1, endPos - startPos - 1)
        value = ""
        If Len(name) > 0 Then value = Environ(name)
        If Len(value) > 0 Then
            path = Left$(path, startPos - 1) & value & Mid$(path, endPos + 1)
            startPos = InStr(startPos + Len(value), path, "%")
        Else
            startPos = endPos
        End If
    Loop
    VaxcleanExpandEnv = path
End Function

' Full path of the first exeName in a folder of PATH (the one cmd.exe starts), or "".
Public Function VaxcleanFindOnPath(ByVal exeName As String) As String
    Dim folders() As String, i As Long, folder As String
    folders = Split(Environ("PATH"), ";")
    For i = LBound(folders) To UBound(folders)
        folder = Trim$(Replace(folders(i), """", ""))
        If Len(folder) > 0 Then
            If Right$(folder, 1) <> "\" Then folder = folder & "\"
            If FileExists(folder & exeName) Then
                VaxcleanFindOnPath = folder & exeName
                Exit Function
            End If
        End If
    Next i
End Function

' True when path is Windows' "app execution alias" in %LOCALAPPDATA%\Microsoft\
' WindowsApps that opens the Microsoft Store: no Store Python package beside it (a
' Python installed from the Store adds a PythonSoftwareFoundation.Python.3.x folder).
Public Function VaxcleanIsStoreStub(ByVal path As String) As Boolean
    Dim folder As String
    If InStr(1, path, "\Microsoft\WindowsApps\", vbTextCompare) = 0 Then Exit Function
    folder = Left$(path, InStrRev(path, "\"))
    On Error Resume Next
    VaxcleanIsStoreStub = (Dir$(folder & "PythonSoftwareFoundation.Python.*", vbDirectory) = "")
End Function

' True when the add-in fileName is open in this Excel and is not this project (the
' control workbook then hides its own ribbon tab; see VaxcleanTabVisible).
Public Function VaxcleanAddinOpen(ByVal fileName As String) As Boolean
    Dim wb As Object
    On Error Resume Next
    Set wb = Application.Workbooks(fileName)
    If wb Is Nothing Then Exit Function
    VaxcleanAddinOpen = wb.IsAddin And Not (wb Is ThisWorkbook)
End Function

' A click failed inside VBA (RunPython or a check before it): the advice that fits
' the error number, then the number itself for whoever helps.
Public Sub VaxcleanRunFailed(ByVal buttonId As String, ByVal errNumber As Long, _
                             ByVal errText As String)
    Dim key As String
    Select Case errNumber
    Case 91
        ' object variable not set: ActiveWorkbook became Nothing (closed, Protected View)
        key = "no_workbook"
    Case 70, 429, -2147024891, -2147023636
        ' permission denied, ActiveX cannot create WScript.Shell, E_ACCESSDENIED,
        ' blocked by group policy: starting Python was refused
        key = "run_failed"
    Case Else
        key = "run_error"
    End Select
    VaxcleanMessage VaxcleanText(key) & vbCrLf & vbCrLf & "(" & buttonId & ": " _
                    & CStr(errNumber) & " " & errText & ")", True
End Sub

' A Unicode message box; falls back to MsgBox when WScript is blocked too.
Public Sub VaxcleanMessage(ByVal text As String, Optional ByVal isError As Boolean = False)
    Dim icon As Long
    If isError Then icon = 16 Else icon = 64
    On Error GoTo Fallback
    CreateObject("WScript.Shell").Popup text, 0, VaxcleanText("title"), icon
    Exit Sub
Fallback:
    MsgBox text, IIf(isError, vbCritical, vbInformation)
End Sub
