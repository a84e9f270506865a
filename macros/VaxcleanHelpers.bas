Attribute VB_Name = "VaxcleanHelpers"
' VaxcleanHelpers: hand-written VBA of the vaxclean add-in (this file is the source
' of truth; keep it ASCII). Used by the generated module VaxcleanRibbon; needs the
' xlwings module (GetConfig, FileExists) in the same VBA project.
'
' Why VBA at all here: these checks run BEFORE Python starts, so the two commonest
' failures get a Vietnamese explanation instead of an English xlwings box:
'   1. no Python at the configured interpreter path (INTERPRETER_WIN);
'   2. Excel not allowed to start another program (an organisation's security
'      policy, e.g. the Defender "attack surface reduction" rule for Office).
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

' False (after telling the user why) when Python cannot be started at all.
Public Function VaxcleanPreflight() As Boolean
    VaxcleanPreflight = True
#If Mac Then
    Exit Function
#Else
    Dim interpreter As String
    interpreter = CStr(GetConfig("INTERPRETER_WIN", ""))
    If interpreter = "" Then interpreter = CStr(GetConfig("INTERPRETER", "python"))
    If interpreter = "python" Or interpreter = "pythonw" Then Exit Function
    If Not FileExists(interpreter) Then
        VaxcleanMessage VaxcleanText("no_python") & vbCrLf & vbCrLf & interpreter, True
        VaxcleanPreflight = False
    End If
#End If
End Function

' RunPython raised a VBA error: usually the process could not be started.
Public Sub VaxcleanRunFailed(ByVal buttonId As String, ByVal errNumber As Long, _
                             ByVal errText As String)
    VaxcleanMessage VaxcleanText("run_failed") & vbCrLf & vbCrLf & "(" & buttonId & ": " _
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
